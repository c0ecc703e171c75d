import { BACKGROUND_HEARTBEAT_MS } from './consumer-options.js';

/**
 * Runs `work` while heartbeating every second, so the coordinator hears from this member while a batch waits on the
 * store or a slow effect (the client sends at most one beat per heartbeat interval). With a short session (10 s by
 * default), one slow call would otherwise cost every partition of the group a rebalance. A failed beat is ignored
 * here: the heartbeat the caller sends after its work reports it where the batch can act on it.
 */
export async function heartbeatWhile<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const beat = setInterval(() => void heartbeat().catch(() => undefined), BACKGROUND_HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
