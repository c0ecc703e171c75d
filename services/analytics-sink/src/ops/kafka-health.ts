import { parseDerivedTopic, type ClusterAdmin, type Watermarks } from '@odx/runtime';

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
export async function dlqDepth(cluster: ClusterAdmin, topics: ReadonlySet<string>): Promise<DlqDepth> {
  const names = (await cluster.listTopics())
    .filter((t) => {
      const d = parseDerivedTopic(t);
      return d?.dlq === true && topics.has(d.topic);
    })
    .sort();
  const out = await Promise.all(
    names.map(async (topic) => {
      const offsets = await cluster.watermarks(topic);
      return {
        topic,
        group: parseDerivedTopic(topic)!.group,
        depth: [...offsets.values()].reduce((s, o) => s + Math.max(0, Number(o.high - o.low)), 0),
      };
    }),
  );
  return { total: out.reduce((s, t) => s + t.depth, 0), topics: out };
}

/**
 * Lag of each consumer group: per partition, end offset minus committed
 * offset. Configured groups are reported on the topics given for them (a
 * partition never committed counts from the low watermark: its full backlog).
 * With no groups configured, every consumer group on the cluster that has
 * committed offsets on one of `discoverOn` is found and reported on exactly
 * those topics, so a service is measured on what it actually reads.
 */
export async function consumerLag(
  cluster: ClusterAdmin,
  groups: ReadonlyMap<string, readonly string[]>,
  discoverOn: ReadonlySet<string> = new Set(),
): Promise<GroupLag[]> {
  const existing = new Set(await cluster.listTopics());
  const discovering = groups.size === 0;
  if (discovering) {
    const found = new Map<string, string[]>();
    const candidates = [...discoverOn].filter((t) => existing.has(t));
    for (const { groupId } of await cluster.listGroups()) {
      if (candidates.length === 0) break;
      const committed = await cluster.committedOffsets(groupId, candidates);
      const reads = committed.filter((t) => t.partitions.some((p) => p.offset !== null)).map((t) => t.topic);
      if (reads.length > 0) found.set(groupId, reads);
    }
    groups = found;
  }
  const ends = new Map<string, Map<number, Watermarks>>();
  const endOf = async (topic: string): Promise<Map<number, Watermarks>> => {
    let m = ends.get(topic);
    if (!m) {
      m = await cluster.watermarks(topic);
      ends.set(topic, m);
    }
    return m;
  };
  const out: GroupLag[] = [];
  for (const [group, topics] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) continue;
    const committed = await cluster.committedOffsets(group, present);
    const perTopic: Array<{ topic: string; lag: number }> = [];
    for (const t of committed) {
      const end = await endOf(t.topic);
      let lag = 0;
      for (const p of t.partitions) {
        const e = end.get(p.partition);
        if (!e) continue;
        lag += Math.max(0, Number(e.high - (p.offset ?? e.low)));
      }
      perTopic.push({ topic: t.topic, lag });
    }
    perTopic.sort((a, b) => a.topic.localeCompare(b.topic));
    out.push({ group, total: perTopic.reduce((s, x) => s + x.lag, 0), topics: perTopic });
  }
  return out;
}
