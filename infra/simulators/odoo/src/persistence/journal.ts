/**
 * Append-only JSONL journal: one line per record state after each committed
 * transaction. On start the file is replayed (a torn last line from a crash
 * is ignored) and rewritten as a compact snapshot.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { JournalEntry, JournalSink, Store } from '../orm/store.js';

export class JsonlJournal implements JournalSink {
  private fd: number | null = null;

  constructor(private readonly path: string) {}

  /** Replays the file into `store`; false when there is nothing to replay. */
  load(store: Store): boolean {
    if (!existsSync(this.path)) return false;
    const text = readFileSync(this.path, 'utf8');
    if (text.trim() === '') return false;
    store.clear();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue;
      }
      store.replay(entry);
    }
    return true;
  }

  /** Replaces the file with a snapshot of `store` (atomic rename) and reopens it for appends. */
  rewrite(store: Store): void {
    this.close();
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    const entries = store.snapshot();
    for (let i = 0; i < entries.length; i += 1000) {
      writeSync(fd, entries.slice(i, i + 1000).map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    closeSync(fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
  }

  append(entries: JournalEntry[]): void {
    if (this.fd === null) this.fd = openSync(this.path, 'a');
    writeSync(this.fd, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
