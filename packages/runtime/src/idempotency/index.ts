export { IdempotencyStore } from './idempotency-store.js';
export type { Claim, ClaimOutcome, IdempotencyStoreOptions } from './idempotency-store.js';
export { GroupCommitStore } from './group-commit-store.js';
