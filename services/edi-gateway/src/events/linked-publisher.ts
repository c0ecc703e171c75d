import { catalogTopicName, type EventProducer, type OutgoingEvent } from '@odx/runtime';
import { topicForEventType } from '@odx/schemas';
import { Partitioners, type Admin, type PartitionMetadata } from 'kafkajs';

/** Where one published event landed. */
export interface EventLink {
  topic: string;
  partition: number;
  offset: string;
  eventType: string;
  eventId: string;
}

export interface LinkedPublisherOptions {
  /** Events per Kafka request. @default 1000 */
  maxBatchSize?: number;
  /** How long the first queued event waits for company. @default 2 */
  lingerMs?: number;
}

interface Pending {
  events: OutgoingEvent[];
  resolve: (links: EventLink[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Publishes through the runtime's EventProducer, collecting calls made close
 * together into one request (kafkajs has no linger), and tells each caller the
 * topic, partition and offset of every event it sent: the partition is what
 * the producer's default (murmur2) partitioner picks for the key, and within a
 * partition the batch keeps its order from the returned base offset.
 */
export class LinkedPublisher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly partitions = new Map<string, Promise<PartitionMetadata[]>>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;

  constructor(private readonly producer: EventProducer, private readonly admin: Admin, options: LinkedPublisherOptions = {}) {
    this.maxBatchSize = options.maxBatchSize ?? 1_000;
    this.lingerMs = options.lingerMs ?? 2;
  }

  /** Resolves, once Kafka acknowledged them, with one link per event in `events` order. */
  publish(events: OutgoingEvent[]): Promise<EventLink[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      const queued = this.queue.reduce((n, p) => n + p.events.length, 0);
      if (queued >= this.maxBatchSize) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.lingerMs);
    });
  }

  /** Sends what is queued and waits for every request in flight. */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.queue.length);
    const sending = this.send(batch).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  private async send(batch: Pending[]): Promise<void> {
    let links: EventLink[][];
    try {
      links = await this.sendAll(batch.flatMap((p) => p.events)).then((flat) => {
        let i = 0;
        return batch.map((p) => flat.slice(i, (i += p.events.length)));
      });
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One caller's bad event must not fail the others that shared its request.
      for (const p of batch) await this.sendAll(p.events).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => p.resolve(links[i]!));
  }

  private async sendAll(events: OutgoingEvent[]): Promise<EventLink[]> {
    const placed: Array<{ topic: string; partition: number; index: number }> = [];
    const perPartition = new Map<string, number>();
    for (const e of events) {
      const topic = e.topic ?? catalogTopicName(topicForEventType(e.eventType).name);
      const meta = await this.partitionsOf(topic);
      const partition = this.partitioner({ topic, partitionMetadata: meta, message: { key: e.key, value: null } });
      const k = `${topic}\u0000${partition}`;
      const index = perPartition.get(k) ?? 0;
      perPartition.set(k, index + 1);
      placed.push({ topic, partition, index });
    }
    const results = await this.producer.publish(events);
    const base = new Map(results.map((r) => [`${r.topicName}\u0000${r.partition}`, BigInt(r.baseOffset ?? '0')]));
    return events.map((e, i) => {
      const p = placed[i]!;
      const b = base.get(`${p.topic}\u0000${p.partition}`);
      return { topic: p.topic, partition: p.partition, offset: b === undefined ? '-1' : (b + BigInt(p.index)).toString(), eventType: e.eventType, eventId: e.payload.meta.eventId };
    });
  }

  private partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    let p = this.partitions.get(topic);
    if (!p) {
      p = this.admin.fetchTopicMetadata({ topics: [topic] }).then((m) => {
        const parts = m.topics[0]?.partitions ?? [];
        if (parts.length === 0) throw new Error(`topic ${topic} has no partitions`);
        return parts.sort((a, b) => a.partitionId - b.partitionId);
      });
      p.catch(() => this.partitions.delete(topic));
      this.partitions.set(topic, p);
    }
    return p;
  }
}
