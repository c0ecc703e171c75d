import { randomUUID } from 'node:crypto';
import type { EventSerde } from '../serde/event-serde.js';
import type { ClusterAdmin } from './cluster-admin.js';
import { RawConsumer } from './raw-consumer.js';

/** One record of a topic as a reader collected it, decoded with the serde. */
export interface CollectedMessage {
  key: string | null;
  eventType: string;
  payload: unknown;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/** What `collectTopic` hands to its `track` callback: close it before the cluster connection it uses. */
export interface TopicCollector {
  close(): Promise<void>;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group and keeps the
 * returned array up to date as records arrive (tests and demo reports watch a
 * topic this way). `track` receives the reader, to be closed by the caller.
 */
export async function collectTopic(
  cluster: ClusterAdmin,
  serde: EventSerde,
  topic: string,
  track: (reader: TopicCollector) => void,
): Promise<CollectedMessage[]> {
  const out: CollectedMessage[] = [];
  const reader = new RawConsumer(cluster, {
    groupId: `odx-reader-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    maxWaitMs: 100,
    onBatch: async ({ partition, messages }) => {
      for (const m of messages) {
        const decoded = await serde.decode(m.value);
        out.push({
          key: m.key?.toString() ?? null,
          eventType: decoded.eventType,
          payload: decoded.payload,
          headers: m.headers,
          partition,
          offset: Number(m.offset),
        });
      }
    },
  });
  track(reader);
  await reader.start();
  return out;
}
