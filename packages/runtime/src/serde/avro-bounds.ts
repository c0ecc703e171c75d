// The walk lives in @odx/schemas, so the package's own decode() (used by teams outside the
// monorepo) and the runtime's EventSerde check message bodies the same way.
export { AvroBoundsError, MAX_ZERO_SIZE_ITEMS, avroBoundsChecker } from '@odx/schemas';
