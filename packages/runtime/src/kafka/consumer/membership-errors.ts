/** Kafka errors that mean this member is out of (or leaving) its group: the client must see them to rejoin. */
const MEMBERSHIP_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** Whether `err` says this member is out of its group (kafkajs puts the protocol error name in `type`). */
export function isMembershipError(err: unknown): err is Error {
  return err instanceof Error && MEMBERSHIP_ERRORS.has(String((err as { type?: unknown }).type));
}
