import { GroupActiveError, IDLE_GROUP_STATES, type ClusterAdmin, type Logger, type Principal } from '@odx/runtime';
import type { AuditLog } from '../audit/audit-log.js';
import { GroupHasMembers, InvalidRequest, NotFound } from '../errors.js';
import { requireTopic } from '../kafka/topics.js';
import { planReset, type PartitionState, type ResetStrategy } from './reset-plan.js';

const GROUP = /^[A-Za-z0-9._:@-]{1,255}$/;

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  assignment: Record<string, number[]>;
}

export interface GroupDescription {
  group: string;
  state: string;
  members: GroupMember[];
  topics: Array<{
    topic: string;
    /** The group still holds offsets for a topic that no longer exists. */
    deleted?: boolean;
    lag: number;
    partitions: Array<{ partition: number; committed: string | null; low: string; end: string; lag: number | null; member: string | null }>;
  }>;
}

export function assertGroupId(group: string): void {
  if (!GROUP.test(group)) throw new InvalidRequest(`"${group.slice(0, 300)}" is not a valid consumer group id`);
}

/** Consumer-group inspection and offset resets (the kafka-consumer-groups tool, with a plan and an audit trail). */
export class GroupService {
  constructor(private readonly options: { cluster: ClusterAdmin; audit: AuditLog; logger: Logger }) {}

  async describe(group: string, onlyTopic?: string): Promise<GroupDescription> {
    assertGroupId(group);
    const g = await this.options.cluster.describeGroup(group);
    const members: GroupMember[] = g.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: m.assignment,
    }));
    const committed = await this.options.cluster.committedOffsets(group, onlyTopic ? [onlyTopic] : undefined);
    if (g.state === 'Dead' && committed.length === 0 && !onlyTopic)
      throw new NotFound('consumer group', [group], `no consumer group ${group}`);
    const topicNames = new Set(committed.map((c) => c.topic));
    for (const m of members) for (const t of Object.keys(m.assignment)) topicNames.add(t);
    if (onlyTopic) for (const t of [...topicNames]) if (t !== onlyTopic) topicNames.delete(t);
    const topics: GroupDescription['topics'] = [];
    // Offsets of deleted topics linger in the group; asking Kafka for their watermarks would hang in retries.
    const existing = new Set(await this.options.cluster.listTopics());
    for (const topic of [...topicNames].sort()) {
      if (!existing.has(topic)) {
        topics.push({ topic, deleted: true, lag: 0, partitions: [] });
        continue;
      }
      const wm = await this.options.cluster.watermarks(topic);
      const c = committed.find((x) => x.topic === topic);
      const partitions = [...wm]
        .sort(([a], [b]) => a - b)
        .map(([partition, { low, high }]) => {
          const off = c?.partitions.find((p) => p.partition === partition)?.offset ?? null;
          const member = members.find((m) => m.assignment[topic]?.includes(partition));
          return {
            partition,
            committed: off === null ? null : off.toString(),
            low: low.toString(),
            end: high.toString(),
            lag: off === null ? null : Number(high - off),
            member: member?.memberId ?? null,
          };
        });
      topics.push({ topic, lag: partitions.reduce((s, p) => s + (p.lag ?? 0), 0), partitions });
    }
    return { group, state: g.state, members, topics };
  }

  /** Plans (and with `execute` applies) an offset reset; GroupHasMembers while the group has members. */
  async reset(
    group: string,
    req: { topic: string; partitions?: number[] | undefined; strategy: ResetStrategy; execute: boolean },
    who: Principal,
  ): Promise<Record<string, unknown>> {
    assertGroupId(group);
    await requireTopic(this.options.cluster, req.topic);
    const g = await this.options.cluster.describeGroup(group);
    const active = g.members.length > 0 || !IDLE_GROUP_STATES.has(g.state);
    const wm = await this.options.cluster.watermarks(req.topic);
    for (const p of req.partitions ?? []) if (!wm.has(p)) throw new InvalidRequest(`${req.topic} has no partition ${p}`);
    const committed = (await this.options.cluster.committedOffsets(group, [req.topic]))[0]?.partitions ?? [];
    const states: PartitionState[] = [...wm]
      .filter(([p]) => !req.partitions || req.partitions.includes(p))
      .sort(([a], [b]) => a - b)
      .map(([partition, { low, high }]) => ({
        partition,
        committed: committed.find((c) => c.partition === partition)?.offset ?? null,
        low,
        high,
      }));
    const atTime = 'toDatetime' in req.strategy ? await this.options.cluster.offsetsAtTime(req.topic, req.strategy.toDatetime) : undefined;
    const plan = planReset(states, req.strategy, atTime);
    const strategy = Object.fromEntries(
      Object.entries(req.strategy).map(([k, v]) => [
        k,
        typeof v === 'bigint' ? v.toString() : k === 'toDatetime' ? new Date(v as number).toISOString() : v,
      ]),
    );
    const base = { group, topic: req.topic, state: g.state, strategy, plan };
    if (active) {
      const busy = new GroupHasMembers(group, g.state, g.members.length);
      if (!req.execute) return { ...base, dryRun: true, refused: busy.message };
      throw busy;
    }
    if (!req.execute) return { ...base, dryRun: true };
    try {
      await this.options.cluster.setGroupOffsets(
        group,
        plan.map((p) => ({ topic: req.topic, partition: p.partition, offset: BigInt(p.target) })),
      );
    } catch (err) {
      // A consumer joined between the check above and the reset.
      if (err instanceof GroupActiveError) throw new GroupHasMembers(group, err.state, err.members);
      throw err;
    }
    await this.options.audit.record({
      actor: who.subject,
      role: who.role,
      action: 'groups.reset',
      target: group,
      count: plan.length,
      details: { topic: req.topic, strategy, plan },
    });
    this.options.logger.warn('consumer group offsets reset', { group, topic: req.topic, actor: who.subject, partitions: plan.length });
    return { ...base, dryRun: false, applied: true };
  }
}
