import { mapLimited, parseDerivedTopic, type ClusterAdmin, type Watermarks } from '@odx/runtime';

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

/** Offset requests in flight at once: a cluster with hundreds of groups answers in a few round trips. */
const LAG_CONCURRENCY = 8;

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
  return new ConsumerLagReader(cluster, groups, discoverOn, 0).read();
}

/**
 * consumerLag as a service asks it again and again (/v1/kpis, the metrics
 * gauges): discovering which groups read the topics asks the cluster for the
 * committed offsets of every group on it, which on a shared cluster (the test
 * suite's broker held hundreds of groups) took over 10 s; the groups found are
 * kept for `rediscoverMs`, so a new group shows up within that time, and their
 * lag is read fresh on every call.
 */
export class ConsumerLagReader {
  private discovered: { at: number; groups: Promise<ReadonlyMap<string, readonly string[]>> } | undefined;

  constructor(
    private readonly cluster: ClusterAdmin,
    private readonly groups: ReadonlyMap<string, readonly string[]>,
    private readonly discoverOn: ReadonlySet<string>,
    private readonly rediscoverMs = 60_000,
  ) {}

  async read(): Promise<GroupLag[]> {
    const existing = new Set(await this.cluster.listTopics());
    const groups = this.groups.size > 0 ? this.groups : await this.discover(existing);
    return lagOf(this.cluster, groups, existing);
  }

  private discover(existing: ReadonlySet<string>): Promise<ReadonlyMap<string, readonly string[]>> {
    const now = Date.now();
    if (!this.discovered || now - this.discovered.at >= this.rediscoverMs) {
      const groups = discoverGroups(
        this.cluster,
        [...this.discoverOn].filter((t) => existing.has(t)),
      );
      this.discovered = { at: now, groups };
      // A failed discovery is not kept: the next call tries again.
      groups.catch(() => {
        if (this.discovered?.groups === groups) this.discovered = undefined;
      });
    }
    return this.discovered.groups;
  }
}

/** The groups with committed offsets on any of `candidates`, each with the candidates it reads. */
async function discoverGroups(cluster: ClusterAdmin, candidates: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>> {
  if (candidates.length === 0) return new Map();
  const listed = await cluster.listGroups();
  const reads = await mapLimited(listed, LAG_CONCURRENCY, async ({ groupId }) => {
    const committed = await cluster.committedOffsets(groupId, [...candidates]);
    return [groupId, committed.filter((t) => t.partitions.some((p) => p.offset !== null)).map((t) => t.topic)] as const;
  });
  return new Map(reads.filter(([, topics]) => topics.length > 0));
}

async function lagOf(
  cluster: ClusterAdmin,
  groups: ReadonlyMap<string, readonly string[]>,
  existing: ReadonlySet<string>,
): Promise<GroupLag[]> {
  const ends = new Map<string, Promise<Map<number, Watermarks>>>();
  const endOf = (topic: string): Promise<Map<number, Watermarks>> => {
    let m = ends.get(topic);
    if (!m) ends.set(topic, (m = cluster.watermarks(topic)));
    return m;
  };
  const sorted = [...groups].sort(([a], [b]) => a.localeCompare(b));
  const out = await mapLimited(sorted, LAG_CONCURRENCY, async ([group, topics]): Promise<GroupLag | undefined> => {
    const present = topics.filter((t) => existing.has(t));
    if (present.length === 0) return undefined;
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
    return { group, total: perTopic.reduce((s, x) => s + x.lag, 0), topics: perTopic };
  });
  return out.filter((g): g is GroupLag => g !== undefined);
}
