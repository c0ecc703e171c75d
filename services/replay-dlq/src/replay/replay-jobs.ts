import type { Collection, Db, Filter } from 'mongodb';

export type ReplayStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** Where one partition of a job stands: `[from, to)` to replay, `position` = next offset to read. */
export interface JobPartition {
  partition: number;
  from: string;
  to: string;
  position: string;
}

export interface JobCounts {
  scanned: number;
  published: number;
  skipped: number;
}

/** A replay job as stored in MongoDB (offsets as decimal strings: they may exceed 2^53). */
export interface ReplayJob extends JobCounts {
  _id: string;
  status: ReplayStatus;
  sourceTopic: string;
  targetTopic: string;
  filter: { keys: string[] | null; eventTypes: string[] | null; fromTime: Date | null; toTime: Date | null };
  ratePerSec: number | null;
  partitions: JobPartition[];
  /** Messages inside the ranges (an upper bound of what gets published when filters apply). */
  total: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  owner: string | null;
  leaseUntil: Date;
  /** How often a worker (re)started the job: > 1 after a restart or takeover. */
  runs: number;
}

export interface JobProgress extends JobCounts {
  partitions: JobPartition[];
}

/**
 * Replay jobs in MongoDB. Progress is one small update per job per second
 * (cheap enough on FerretDB); a job is owned through a lease so that another
 * instance resumes it when its owner dies. FerretDB's updates are not atomic
 * compare-and-set, so two instances racing for one expired lease could both
 * run it for a while: harmless, as replays keep event ids and consumers dedupe.
 */
export class ReplayJobStore {
  readonly col: Collection<ReplayJob>;

  constructor(db: Db, collection = 'replay_jobs') {
    this.col = db.collection<ReplayJob>(collection);
  }

  async create(job: ReplayJob): Promise<void> {
    await this.col.insertOne(job);
  }

  get(id: string): Promise<ReplayJob | null> {
    return this.col.findOne({ _id: id });
  }

  list(q: { status?: ReplayStatus | undefined; limit: number }): Promise<ReplayJob[]> {
    const filter: Filter<ReplayJob> = q.status ? { status: q.status } : {};
    return this.col.find(filter).sort({ createdAt: -1 }).limit(q.limit).toArray();
  }

  /** Running jobs nobody holds a live lease on. */
  runnable(now: Date): Promise<ReplayJob[]> {
    return this.col.find({ status: 'running', leaseUntil: { $lt: now } }).toArray();
  }

  async claim(job: ReplayJob, owner: string, leaseUntil: Date): Promise<boolean> {
    const r = await this.col.updateOne(
      { _id: job._id, status: 'running', leaseUntil: job.leaseUntil },
      { $set: { owner, leaseUntil, updatedAt: new Date() }, $inc: { runs: 1 } },
    );
    return r.matchedCount === 1;
  }

  /** Saves progress and renews the lease; false when the job was cancelled or taken over. */
  async progress(id: string, owner: string, p: JobProgress, leaseUntil: Date): Promise<boolean> {
    const r = await this.col.updateOne({ _id: id, status: 'running', owner }, { $set: { ...p, leaseUntil, updatedAt: new Date() } });
    return r.matchedCount === 1;
  }

  /** Final progress; the status changes only from running (a cancel stays a cancel). */
  async finish(
    id: string,
    owner: string,
    p: JobProgress,
    status: Exclude<ReplayStatus, 'running'> | 'released',
    error?: string,
  ): Promise<void> {
    const now = new Date();
    if (status === 'released') {
      await this.col.updateOne({ _id: id, owner }, { $set: { ...p, leaseUntil: now, updatedAt: now } });
      return;
    }
    await this.col.updateOne({ _id: id, owner }, { $set: { ...p, updatedAt: now, leaseUntil: now } });
    await this.col.updateOne({ _id: id, status: 'running' }, { $set: { status, finishedAt: now, error: error ?? null } });
  }

  /** Marks a running job cancelled; false when there is no running job of that id. */
  async cancel(id: string): Promise<boolean> {
    const now = new Date();
    const r = await this.col.updateOne({ _id: id, status: 'running' }, { $set: { status: 'cancelled', finishedAt: now, updatedAt: now } });
    return r.matchedCount === 1;
  }
}
