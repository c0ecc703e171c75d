// Test support for the services that talk to the simulators (wms-bridge,
// tms-bridge, the cross-service fulfillment tests): polling, signed webhook
// posts, and a Kafka topic reader typed structurally, so the simulators do
// not depend on kafkajs (polling and names come from `@odx/runtime/testing`,
// which loads nothing else of the runtime).
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

/** One Kafka message as a test reads it, decoded. */
export interface CollectedMessage {
  key: string | null;
  eventType: string;
  payload: unknown;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/** The parts of a kafkajs `Kafka` a reader needs (kafkajs's own types satisfy it). */
export interface KafkaLike {
  consumer(config: { groupId: string; maxWaitTimeInMs?: number }): ConsumerLike;
}
export interface ConsumerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(s: { topic: string; fromBeginning?: boolean }): Promise<void>;
  run(c: { eachMessage: (p: { partition: number; message: RawMessage }) => Promise<void> }): Promise<void>;
}
interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}
/** Decodes a Confluent-framed Avro value (the runtime's `EventSerde` satisfies it). */
export interface DecoderLike {
  decode(value: Buffer | null): Promise<{ eventType: string; payload: unknown }>;
}

/**
 * Reads `topic` from the beginning with a fresh group and keeps the returned
 * array up to date. `track` receives the consumer, to be disconnected by the
 * test (before the Kafka client it came from).
 */
export async function collectTopic(kafka: KafkaLike, serde: DecoderLike, topic: string, track: (c: ConsumerLike) => void): Promise<CollectedMessage[]> {
  const out: CollectedMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader'), maxWaitTimeInMs: 100 });
  track(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const decoded = await serde.decode(message.value);
      out.push({ key: message.key?.toString() ?? null, eventType: decoded.eventType, payload: decoded.payload, headers: headerStrings(message.headers), partition, offset: Number(message.offset) });
    },
  });
  return out;
}

function headerStrings(headers: RawMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}
