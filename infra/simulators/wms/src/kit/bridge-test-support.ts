// Test support for the services that talk to the simulators (wms-bridge,
// tms-bridge, the cross-service fulfillment tests): polling and signed webhook
// posts (polling and names come from `@odx/runtime/testing`, which loads
// nothing else of the runtime; topic readers are the runtime's `collectTopic`).
import { randomUUID } from 'node:crypto';
import { call, type ApiAnswer } from './test-support.js';
import { signWebhook } from './webhook-signature.js';
import { eventually, uniqueName } from '@odx/runtime/testing';
export { eventually, uniqueName };

/** What node:test's TestContext offers for cleanup. */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

/**
 * Posts `body` to a Standard Webhooks receiver, signed as a simulator signs
 * (optionally with another secret, time or message id).
 */
export function postSignedWebhook(url: string, secret: string, body: string, o: { timestamp?: number; id?: string } = {}): Promise<ApiAnswer> {
  const id = o.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return call(url, 'POST', '', body, {
    'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, id, ts, body),
  });
}
