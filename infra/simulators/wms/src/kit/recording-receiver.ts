import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, with the raw body as signed. */
export interface ReceivedWebhook {
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  webhookSignature: string | undefined;
  body: string;
  payload: unknown;
  headers: IncomingHttpHeaders;
  receivedAt: number;
  /** What the receiver answered. */
  status: number;
}

/** Decides the answer to each request: a status, optionally after a delay. */
export type ReceiverBehaviour = (hook: Omit<ReceivedWebhook, 'status'>, index: number) => number | { status: number; delayMs: number };

export interface RecordingReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Changes how later requests are answered (default: 204). */
  respondWith(behaviour: ReceiverBehaviour): void;
  /** Resolves with the received list once `predicate` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A webhook endpoint that records every request: for simulator tests and
 * demos (the ODX bridges have their own, real receivers).
 */
export async function startRecordingReceiver(host = '127.0.0.1'): Promise<RecordingReceiver> {
  const received: ReceivedWebhook[] = [];
  let behaviour: ReceiverBehaviour = () => 204;
  let waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        payload = undefined;
      }
      const header = (name: string): string | undefined => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const hook = {
        webhookId: header('webhook-id'),
        webhookTimestamp: header('webhook-timestamp'),
        webhookSignature: header('webhook-signature'),
        body,
        payload,
        headers: req.headers,
        receivedAt: Date.now(),
      };
      const decision = behaviour(hook, received.length);
      const { status, delayMs } = typeof decision === 'number' ? { status: decision, delayMs: 0 } : decision;
      received.push({ ...hook, status });
      const current = waiters;
      waiters = [];
      for (const w of current) w();
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status).end();
      }, delayMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/webhooks`,
    received,
    respondWith(next) {
      behaviour = next;
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`receiver: condition not met within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const check = (): void => {
          if (predicate(received)) {
            clearTimeout(timer);
            resolve(received);
          } else waiters.push(check);
        };
        check();
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
