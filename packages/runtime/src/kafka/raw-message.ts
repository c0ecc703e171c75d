import type { KafkaMessage } from 'kafkajs';
import { headersToStrings } from './headers.js';

/** A Kafka record as it was read, not decoded (DLQ tools, replays, failure-topic readers). */
export interface RawMessage {
  topic: string;
  partition: number;
  /** Decimal string: offsets may exceed 2^53. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as UTF-8 strings (the first value of a repeated header). */
  headers: Record<string, string>;
  /** Record timestamp, epoch milliseconds. */
  timestamp: number;
}

export function toRawMessage(topic: string, partition: number, m: KafkaMessage): RawMessage {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ?? null,
    value: m.value,
    headers: headersToStrings(m.headers),
    timestamp: Number(m.timestamp),
  };
}
