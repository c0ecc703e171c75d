import { randomUUID } from 'node:crypto';
import type { ClusterAdmin, Logger, Principal } from '@odx/runtime';
import type { AuditLog } from '../audit/audit-log.js';
import { JobNotRunning, NotFound } from '../errors.js';
import { requireTopic } from '../kafka/topics.js';
import type { ReplayJob, ReplayJobStore, ReplayStatus } from './replay-jobs.js';
import { planRanges, type ReplayRequest } from './replay-plan.js';
import type { ReplayWorker } from './replay-worker.js';

/** Plans, starts, lists and cancels replay jobs. */
export class ReplayService {
  constructor(
    private readonly options: { cluster: ClusterAdmin; store: ReplayJobStore; worker: ReplayWorker; audit: AuditLog; logger: Logger },
  ) {}

  async start(req: ReplayRequest, who: Principal): Promise<{ dryRun: boolean; job: ReplayJob }> {
    await requireTopic(this.options.cluster, req.sourceTopic, 'source topic');
    await requireTopic(this.options.cluster, req.targetTopic, 'target topic');
    const wm = await this.options.cluster.watermarks(req.sourceTopic);
    const ranges = await planRanges(req, wm, (ms) => this.options.cluster.offsetsAtTime(req.sourceTopic, ms));
    const now = new Date();
    const job: ReplayJob = {
      _id: randomUUID(),
      status: 'running',
      sourceTopic: req.sourceTopic,
      targetTopic: req.targetTopic,
      filter: {
        keys: req.keys ?? null,
        eventTypes: req.eventTypes ?? null,
        fromTime: req.fromTime !== undefined ? new Date(req.fromTime) : null,
        toTime: req.toTime !== undefined ? new Date(req.toTime) : null,
      },
      ratePerSec: req.ratePerSec ?? null,
      partitions: ranges.map((r) => ({
        partition: r.partition,
        from: r.from.toString(),
        to: r.to.toString(),
        position: r.from.toString(),
      })),
      total: ranges.reduce((s, r) => s + Number(r.to - r.from), 0),
      scanned: 0,
      published: 0,
      skipped: 0,
      createdBy: who.subject,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      error: null,
      owner: null,
      leaseUntil: new Date(0),
      runs: 0,
    };
    if (!req.execute) return { dryRun: true, job };
    await this.options.store.create(job);
    await this.options.audit.record({
      actor: who.subject,
      role: who.role,
      action: 'replay.start',
      target: req.sourceTopic,
      count: job.total,
      details: { jobId: job._id, targetTopic: job.targetTopic, partitions: job.partitions, filter: job.filter, ratePerSec: job.ratePerSec },
    });
    this.options.logger.info('replay job created', {
      job: job._id,
      source: job.sourceTopic,
      target: job.targetTopic,
      total: job.total,
      actor: who.subject,
    });
    this.options.worker.nudge();
    return { dryRun: false, job };
  }

  async get(id: string): Promise<ReplayJob> {
    const job = await this.options.store.get(id);
    if (!job) throw new NotFound('replay job', [id], `no replay job ${id}`);
    return job;
  }

  list(q: { status?: ReplayStatus | undefined; limit: number }): Promise<ReplayJob[]> {
    return this.options.store.list(q);
  }

  async cancel(id: string, who: Principal): Promise<ReplayJob> {
    const job = await this.get(id);
    if (job.status !== 'running' || !(await this.options.store.cancel(id))) throw new JobNotRunning(id, job.status);
    this.options.worker.stopLocal(id);
    await this.options.audit.record({
      actor: who.subject,
      role: who.role,
      action: 'replay.cancel',
      target: job.sourceTopic,
      count: job.published,
      details: { jobId: id },
    });
    return this.get(id);
  }
}
