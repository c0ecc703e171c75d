/** The Idempotency-Key was used before with another body (422). */
export class IdempotencyKeyReused extends Error {
  override readonly name = 'IdempotencyKeyReused';
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency-Key ${JSON.stringify(idempotencyKey)} was used with a different body; use a new key for a new order`);
  }
}

/** The first request with this key is still being processed (409, retry after `retryAfterS`). */
export class IntakeInProgress extends Error {
  override readonly name = 'IntakeInProgress';
  constructor(
    readonly idempotencyKey: string,
    readonly retryAfterS: number,
  ) {
    super(`a request with Idempotency-Key ${JSON.stringify(idempotencyKey)} is still being processed; retry with the same key`);
  }
}

/** The order could not be handed to Kafka or the store; nothing was accepted and the key is free again (503). */
export class IntakeUnavailable extends Error {
  override readonly name = 'IntakeUnavailable';
  readonly transient = true;
  constructor(cause: unknown) {
    super('the order could not be accepted right now; retry with the same Idempotency-Key', { cause });
  }
}
