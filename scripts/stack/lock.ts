import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './process-control.js';

/**
 * An exclusive lock file holding the owner's pid, so two `stack up` runs
 * (say `npm test` and `npm start` in two terminals) do not both start Kafka.
 * A lock whose owner died is taken over.
 */
export async function withLockFile<T>(file: string, onWait: (ownerPid: number) => void, task: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileOr(file));
    if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
      rmSync(file, { force: true });
      continue;
    }
    if (!announced) {
      onWait(owner);
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await task();
  } finally {
    if (readFileOr(file) === String(process.pid)) rmSync(file, { force: true });
  }
}

function readFileOr(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Pid of the live process holding the lock file, if another one holds it. */
export function lockHolder(file: string): number | undefined {
  const owner = Number(readFileOr(file));
  if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) return undefined;
  return isAlive(owner) ? owner : undefined;
}
