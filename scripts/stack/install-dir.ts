import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MARKER = '.odx-installed';

/** True when `dir` was fully installed with the given fingerprint. */
export function isInstalled(dir: string, fingerprint: string): boolean {
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim() === fingerprint;
  } catch {
    return false;
  }
}

/**
 * Fills a staging directory next to `dir` and renames it into place only
 * when `fill` succeeds, so an interrupted download never looks installed.
 */
export async function installAtomically(dir: string, fingerprint: string, fill: (staging: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(dir), { recursive: true });
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await fill(staging);
    writeFileSync(join(staging, MARKER), `${fingerprint}\n`);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
