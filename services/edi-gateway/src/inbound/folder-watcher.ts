import { constants, type Stats } from 'node:fs';
import { lstat, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@odx/runtime';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { partnerFolder } from '../transport/folder-layout.js';
import type { InboundProcessor, InboundResult } from './inbound-processor.js';

export interface FolderWatcherOptions {
  root: string;
  partners: PartnerDirectory;
  processor: Pick<InboundProcessor, 'process'>;
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
  /** Failed attempts (the processor threw) after which a file is moved to `error` with a reason file beside it. @default 5 */
  maxFailures?: number;
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
 * resumed interchange). Only regular files are read: a symlink (to a local
 * file that would be stored as the partner's document), a directory, FIFO or
 * device goes to `error` unread, with `<name>.reason.txt` beside it; so does a
 * poison file whose processing failed `maxFailures` times (counted in
 * `work/.<name>.failures`, so restarts do not reset it).
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
      // lstat: a symlink is judged as the link, never followed.
      const s = await lstat(from);
      await rename(from, claimed);
      if (!s.isFile()) return await this.refuse(p, claimed, name, `not a regular file (${kindOf(s)}); only regular files are read`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another instance claimed it
      throw err;
    }
    await this.processClaimed(p, claimed, name);
  }

  private async processClaimed(p: PartnerProfile, claimed: string, name: string): Promise<void> {
    let outcome: InboundResult | Error;
    try {
      const read = await readRegularFile(claimed, this.options.maxBytes);
      if (typeof read === 'string') return await this.refuse(p, claimed, name, read);
      outcome = await this.options.processor.process(read.bytes, {
        transport: 'folder',
        fileName: name,
        expectedPartnerId: p.id,
        declaredSize: read.size,
      });
    } catch (err) {
      outcome = err instanceof Error ? err : new Error(String(err));
      const failures = await this.countFailure(p, name, outcome);
      if (failures >= (this.options.maxFailures ?? 5)) {
        this.options.logger.error('inbound file failed too often; moved to error', { partner: p.id, file: name, failures, err });
        await this.refuse(p, claimed, name, `processing failed ${failures} times; last error: ${outcome.message}`);
        return;
      }
      // Kafka or MongoDB trouble: the file stays in work and is taken over once its claim is stale.
      this.options.logger.error('inbound file failed; left in work for retry', { partner: p.id, file: name, failures, err });
      this.options.onFile?.(name, outcome);
      return;
    }
    await rm(this.failuresFile(p, name), { force: true });
    const target = outcome.status === 'accepted' ? 'archive' : 'error';
    await rename(claimed, join(partnerFolder(this.options.root, p, target), `${Date.now()}-${name}`));
    this.options.onFile?.(name, outcome);
  }

  /** Moves a file to `error` unprocessed, with `<stamp>-<name>.reason.txt` beside it saying why. */
  private async refuse(p: PartnerProfile, claimed: string, name: string, reason: string): Promise<void> {
    const target = join(partnerFolder(this.options.root, p, 'error'), `${Date.now()}-${name}`);
    await writeFile(`${target}.reason.txt`, `${reason}\n`);
    await rename(claimed, target);
    await rm(this.failuresFile(p, name), { force: true });
    this.options.logger.warn('inbound file refused', { partner: p.id, file: name, reason });
    this.options.onFile?.(name, new Error(reason));
  }

  private failuresFile(p: PartnerProfile, name: string): string {
    return join(partnerFolder(this.options.root, p, 'work'), `.${name}.failures`);
  }

  /** Counts a failed attempt at a file in `work/.<name>.failures` (kept across restarts). */
  private async countFailure(p: PartnerProfile, name: string, err: Error): Promise<number> {
    const file = this.failuresFile(p, name);
    const before = await readFile(file, 'utf8')
      .then((text) => Number((JSON.parse(text) as { failures?: unknown }).failures) || 0)
      .catch(() => 0);
    const failures = before + 1;
    await writeFile(file, JSON.stringify({ failures, lastError: err.message.slice(0, 500), at: new Date().toISOString() }));
    return failures;
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

/**
 * Opens without following a symlink (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK), then
 * checks the open file itself: the name could have been swapped between the listing and the open.
 * A regular file larger than `maxBytes` is read only for its head (the processor refuses it by size).
 * Returns the reason as a sentence when the file is not a regular one.
 */
async function readRegularFile(path: string, maxBytes: number): Promise<{ bytes: Buffer; size: number } | string> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return 'not a regular file (a symbolic link); only regular files are read';
    throw err;
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) return `not a regular file (${kindOf(s)}); only regular files are read`;
    if (s.size > maxBytes) {
      // A huge file is never loaded: its head says whom to answer, its size that it is refused.
      const head = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return { bytes: head.subarray(0, bytesRead), size: s.size };
    }
    const bytes = await fh.readFile();
    // The file grew after the stat: the size cap holds for what was read.
    return { bytes, size: Math.max(s.size, bytes.length) };
  } finally {
    await fh.close();
  }
}

function kindOf(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}
