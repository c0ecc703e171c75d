import { TransientError, type EventHandler, type IdempotencyStore } from '@odx/runtime';

/**
 * Wraps a handler so that only the event types it acts on cost an idempotency
 * claim: on a shared topic (odx.shipments.v1 carries the bridges' own events
 * too) everything else is skipped before any I/O. Use with a consumer runner
 * whose own idempotency is off; keys are `<scope>:<eventId>`, as the runner's.
 * (A candidate for the runtime: an `eventTypes` filter on the runner itself.)
 */
export function claimHandled(types: ReadonlySet<string>, store: IdempotencyStore, scope: string, handler: EventHandler): EventHandler {
  return async (event) => {
    if (!types.has(event.eventType)) return;
    const claimed = await store.claim(scope, event.eventId);
    if (claimed.status === 'duplicate') return;
    if (claimed.status === 'busy') {
      throw new TransientError(`event ${event.eventId} is being handled by ${claimed.owner}`, { errorClass: 'idempotency.busy', retryAfterMs: claimed.retryAfterMs });
    }
    try {
      await handler(event);
    } catch (err) {
      await store.release(claimed.claim).catch(() => undefined);
      throw err;
    }
    await store.complete(claimed.claim, { verifyHolder: false });
  };
}
