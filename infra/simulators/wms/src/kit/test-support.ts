// Helpers for the simulators' own tests (HTTP calls, Standard Webhooks checks).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { ReceivedWebhook } from './recording-receiver.js';

export const ADMIN = { authorization: 'Bearer sim-admin' };

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // `any` on purpose: simulator answers are arbitrary JSON that tests index into freely.
  body: any;
}

/** One HTTP call; `body` is sent as JSON unless it is already a string. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<ApiAnswer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (signal !== undefined) init.signal = signal;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * Checks a received webhook the way a receiver following the Standard
 * Webhooks spec would, written independently of the simulator's signer.
 */
export function assertSigned(hook: ReceivedWebhook, secret: string): void {
  assert.ok(hook.webhookId, 'webhook-id header');
  assert.match(hook.webhookTimestamp ?? '', /^\d+$/, 'webhook-timestamp header');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${hook.webhookId}.${hook.webhookTimestamp}.${hook.body}`).digest('base64');
  assert.equal(hook.webhookSignature, `v1,${expected}`);
}

export function typesOf(hooks: ReceivedWebhook[]): string[] {
  return hooks.map((h) => (h.payload as { type: string }).type);
}
