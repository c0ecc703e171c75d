import { open, readFile, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@odx/runtime';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { partnerFolder } from '../transport/folder-layout.js';
import type { InboundProcessor, InboundResult } from './inbound-processor.js';

export interface FolderWatcherOptions {
  root: string;
  partners: PartnerDirectory;
  processor: InboundProcessor;
  logger: Logger;
  intervalMs: number;
  /** Files processed at once. @default 4 */
  concurrency?: number;
  /** Identifies this instance in claimed file names (no dots). */
  instanceId: string;
  /** A file in `work` claimed longer ago than this is taken over (its claimer died). */
  staleClaimMs: number;
  /** Files larger than this are refused after reading only their head (the processor's limit). */
  maxBytes: number;
  /** Called after each file (tests, metrics). */
  onFile?: (file: string, result: InboundResult | Error) => void;
}

/** Names a partner is still writing: hidden files and .tmp/.part. */
const IN_PROGRESS = /^\.|\.(tmp|part|partial)$/i;

/**
 * Polls each partner's inbound folder. A file is claimed by renaming it into
 * `work` (rename is atomic: of two instances only one succeeds, and a partner
 * writing under a temporary name and renaming when done is never read half
 * written); after processing it moves to `archive` or, when anything in it was
 * rejected, to `error`. Files left in `work` by a crash or an outage are
 * processed again once their claim is stale (the processor recognizes the
 * resumed interchange).
 */
export class FolderWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: FolderWatcherOptions) {}

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.pollOnce()
        .catch((err: unknown) => {
          this.options.logger.warn('inbound folder poll failed', { err });
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    tick();
  }

  /** One pass over every partner's inbound folder (and over claims gone stale in `work`). */
  async pollOnce(): Promise<void> {
    const jobs: Array<() => Promise<void>> = [];
    for (const p of this.enabledPartners()) {
      const work = partnerFolder(this.options.root, p, 'work');
      for (const f of await readdir(work).catch(() => [] as string[])) {
        const m = /^(.*)\.([^.]+)\.(\d+)$/.exec(f);
        if (m && Date.now() - Number(m[3]) > this.options.staleClaimMs) jobs.push(() => this.reclaim(p, join(work, f), m[1]!));
      }
      const dir = partnerFolder(this.options.root, p, 'inbound');
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => !IN_PROGRESS.test(n)).sort();
      for (const name of names) jobs.push(() => this.claimAndProcess(p, name));
    }
    const limit = this.options.concurrency ?? 4;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(limit, jobs.length) }, async () => {
        while (next < jobs.length && !this.stopped) await jobs[next++]!();
      }),
    );
  }

  /** A claim whose owner died mid-way: taken over by another atomic rename. */
  private async reclaim(p: PartnerProfile, stale: string, name: string): Promise<void> {
    const claimed = join(partnerFolder(this.options.root, p, 'work'), `${name}.${this.options.instanceId}.${Date.now()}`);
    try {
      await rename(stale, claimed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    this.options.logger.warn('re-processing a stale claim', { partner: p.id, file: name });
    await this.processClaimed(p, claimed, name);
  }

  private async claimAndProcess(p: PartnerProfile, name: string): Promise<void> {
    const from = join(partnerFolder(this.options.root, p, 'inbound'), name);
    const claimed = join(partnerFolder(this.options.root, p, 'work'), `${name}.${this.options.instanceId}.${Date.now()}`);
    try {
      const s = await stat(from);
      if (!s.isFile()) return;
      await rename(from, claimed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another instance claimed it
      throw err;
    }
    await this.processClaimed(p, claimed, name);
  }

  private async processClaimed(p: PartnerProfile, claimed: string, name: string): Promise<void> {
    let outcome: InboundResult | Error;
    try {
      const size = (await stat(claimed)).size;
      // A huge file is never loaded: its head says whom to answer, its size that it is refused.
      const bytes = size > this.options.maxBytes ? await readHead(claimed, 4096) : await readFile(claimed);
      outcome = await this.options.processor.process(bytes, {
        transport: 'folder',
        fileName: name,
        expectedPartnerId: p.id,
        declaredSize: size,
      });
    } catch (err) {
      // Kafka or MongoDB trouble: the file stays in work and is taken over once its claim is stale.
      this.options.logger.error('inbound file failed; left in work for retry', { partner: p.id, file: name, err });
      outcome = err instanceof Error ? err : new Error(String(err));
      this.options.onFile?.(name, outcome);
      return;
    }
    const target = outcome.status === 'accepted' ? 'archive' : 'error';
    await rename(claimed, join(partnerFolder(this.options.root, p, target), `${Date.now()}-${name}`));
    this.options.onFile?.(name, outcome);
  }

  private enabledPartners(): PartnerProfile[] {
    return this.options.partners.all().filter((p) => p.transport.folder.enabled);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
