import { HttpProblem, type Logger } from '@odx/runtime';
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal } from '../auth/tokens.js';
import { watermarks } from '../kafka/range-reader.js';
import { requireTopic } from '../kafka/topics.js';
import { offsetsAtTime } from '../replay/replay-service.js';
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

/** States in which a group has no live members and its offsets may be changed. */
const IDLE = new Set(['Empty', 'Dead']);

export function assertGroupId(group: string): void {
  if (!GROUP.test(group)) throw new HttpProblem(400, 'Bad Request', `"${group.slice(0, 300)}" is not a valid consumer group id`);
}

/** Consumer-group inspection and offset resets (the kafka-consumer-groups tool, with a plan and an audit trail). */
export class GroupService {
  constructor(private readonly o: { admin: Admin; audit: AuditLog; logger: Logger }) {}

  async describe(group: string, onlyTopic?: string): Promise<GroupDescription> {
    assertGroupId(group);
    const { groups } = await this.o.admin.describeGroups([group]);
    const g = groups[0];
    if (!g) throw new HttpProblem(404, 'Not Found', `no consumer group ${group}`);
    const members: GroupMember[] = g.members.map((m) => {
      let assignment: Record<string, number[]> = {};
      try {
        assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {};
      } catch {
        assignment = {}; // a non-consumer protocol's assignment: nothing to show
      }
      return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
    });
    const committed = await this.o.admin.fetchOffsets({ groupId: group, ...(onlyTopic ? { topics: [onlyTopic] } : {}) });
    if (g.state === 'Dead' && committed.length === 0 && !onlyTopic) throw new HttpProblem(404, 'Not Found', `no consumer group ${group}`);
    const topicNames = new Set(committed.map((c) => c.topic));
    for (const m of members) for (const t of Object.keys(m.assignment)) topicNames.add(t);
    if (onlyTopic) for (const t of [...topicNames]) if (t !== onlyTopic) topicNames.delete(t);
    const topics: GroupDescription['topics'] = [];
    // Offsets of deleted topics linger in the group; asking Kafka for their watermarks would hang in retries.
    const existing = new Set(await this.o.admin.listTopics());
    for (const topic of [...topicNames].sort()) {
      if (!existing.has(topic)) {
        topics.push({ topic, deleted: true, lag: 0, partitions: [] });
        continue;
      }
      const wm = await watermarks(this.o.admin, topic);
      const c = committed.find((x) => x.topic === topic);
      const partitions = [...wm].sort(([a], [b]) => a - b).map(([partition, { low, high }]) => {
        const off = c?.partitions.find((p) => p.partition === partition)?.offset;
        const has = off !== undefined && Number(off) >= 0;
        const member = members.find((m) => m.assignment[topic]?.includes(partition));
        return { partition, committed: has ? off : null, low: low.toString(), end: high.toString(), lag: has ? Number(high - BigInt(off)) : null, member: member?.memberId ?? null };
      });
      topics.push({ topic, lag: partitions.reduce((s, p) => s + (p.lag ?? 0), 0), partitions });
    }
    return { group, state: g.state, members, topics };
  }

  /** Plans (and with `execute` applies) an offset reset; 409 while the group has members. */
  async reset(group: string, req: { topic: string; partitions?: number[] | undefined; strategy: ResetStrategy; execute: boolean }, who: Principal): Promise<Record<string, unknown>> {
    assertGroupId(group);
    await requireTopic(this.o.admin, req.topic);
    const { groups } = await this.o.admin.describeGroups([group]);
    const g = groups[0];
    const active = g ? g.members.length > 0 || !IDLE.has(g.state) : false;
    const wm = await watermarks(this.o.admin, req.topic);
    for (const p of req.partitions ?? []) if (!wm.has(p)) throw new HttpProblem(400, 'Bad Request', `${req.topic} has no partition ${p}`);
    const committed = (await this.o.admin.fetchOffsets({ groupId: group, topics: [req.topic] }))[0]?.partitions ?? [];
    const states: PartitionState[] = [...wm]
      .filter(([p]) => !req.partitions || req.partitions.includes(p))
      .sort(([a], [b]) => a - b)
      .map(([partition, { low, high }]) => {
        const off = committed.find((c) => c.partition === partition)?.offset;
        return { partition, committed: off !== undefined && Number(off) >= 0 ? BigInt(off) : null, low, high };
      });
    const atTime = 'toDatetime' in req.strategy ? await offsetsAtTime(this.o.admin, req.topic, req.strategy.toDatetime) : undefined;
    const plan = planReset(states, req.strategy, atTime);
    const strategy = Object.fromEntries(Object.entries(req.strategy).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : k === 'toDatetime' ? new Date(v as number).toISOString() : v]));
    const base = { group, topic: req.topic, state: g?.state ?? 'Dead', strategy, plan };
    if (active) {
      if (!req.execute) return { ...base, dryRun: true, refused: `group ${group} has ${g?.members.length ?? 0} active member(s) (state ${g?.state}); stop its consumers before resetting` };
      throw new HttpProblem(409, 'Conflict', `group ${group} has ${g?.members.length ?? 0} active member(s) (state ${g?.state}); stop its consumers before resetting`, { state: g?.state, members: g?.members.length ?? 0 });
    }
    if (!req.execute) return { ...base, dryRun: true };
    await this.o.admin.setOffsets({ groupId: group, topic: req.topic, partitions: plan.map((p) => ({ partition: p.partition, offset: p.target })) });
    await this.o.audit.record({ actor: who.subject, role: who.role, action: 'groups.reset', target: group, count: plan.length, details: { topic: req.topic, strategy, plan } });
    this.o.logger.warn('consumer group offsets reset', { group, topic: req.topic, actor: who.subject, partitions: plan.length });
    return { ...base, dryRun: false, applied: true };
  }
}
