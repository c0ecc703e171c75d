import { parseDerivedTopic } from '@odx/runtime';
import type { Admin } from 'kafkajs';

export interface DlqDepth {
  total: number;
  topics: Array<{ topic: string; group: string; depth: number }>;
}

export interface GroupLag {
  group: string;
  total: number;
  topics: Array<{ topic: string; lag: number }>;
}

/** Messages held in the DLQ topics of `topics` (any group): high minus low watermark, summed over partitions. */
export async function dlqDepth(admin: Admin, topics: ReadonlySet<string>): Promise<DlqDepth> {
  const names = (await admin.listTopics()).filter((t) => {
    const d = parseDerivedTopic(t);
    return d?.dlq === true && topics.has(d.topic);
  }).sort();
  const out = await Promise.all(names.map(async (topic) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return { topic, group: parseDerivedTopic(topic)!.group, depth: offsets.reduce((s, o) => s + Math.max(0, Number(o.high) - Number(o.low)), 0) };
  }));
  return { total: out.reduce((s, t) => s + t.depth, 0), topics: out };
}

/**
 * Lag of each consumer group on the topics it is expected to read: per
 * partition, end offset minus committed offset (a partition the group never
 * committed counts from the low watermark). Groups with no commit at all on a
 * topic are reported with their full backlog.
 */
export async function consumerLag(admin: Admin, groups: ReadonlyMap<string, readonly string[]>): Promise<GroupLag[]> {
  const existing = new Set(await admin.listTopics());
  const ends = new Map<string, Map<number, { high: number; low: number }>>();
  const endOf = async (topic: string): Promise<Map<number, { high: number; low: number }>> => {
    let m = ends.get(topic);
    if (!m) {
      m = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { high: Number(o.high), low: Number(o.low) }]));
      ends.set(topic, m);
    }
    return m;
  };
  const out: GroupLag[] = [];
  for (const [group, topics] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) continue;
    const committed = await admin.fetchOffsets({ groupId: group, topics: present });
    const perTopic: Array<{ topic: string; lag: number }> = [];
    for (const t of committed) {
      const end = await endOf(t.topic);
      let lag = 0;
      for (const p of t.partitions) {
        const e = end.get(p.partition);
        if (!e) continue;
        const c = Number(p.offset);
        lag += Math.max(0, e.high - (c >= 0 ? c : e.low));
      }
      perTopic.push({ topic: t.topic, lag });
    }
    perTopic.sort((a, b) => a.topic.localeCompare(b.topic));
    out.push({ group, total: perTopic.reduce((s, x) => s + x.lag, 0), topics: perTopic });
  }
  return out;
}
