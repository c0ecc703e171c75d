// A fix for kafkajs 2.2.4's idle polling (kafkajs issue #1751, unmerged fixes #1755/#1768; kafkajs has had no
// release since 2023). Every broker connection's RequestQueue re-arms a timer in scheduleCheckPendingRequests
// after each check, even with nothing pending and no throttle: `throttledUntil` is -1, so the delay is a
// negative number that Node turns into 1 ms. Each connection so wakes its process 1,000 times a second for as
// long as it is open (measured: 100 ms of CPU per 5 s for an idle producer and admin, 10 ms with this fix), and
// Node 24 prints a TimeoutNegativeWarning for it. With the fix a queue arms the timer only when a request waits
// or a throttle is in force, which are the two cases the timer exists for; a request that cannot go out at once
// is queued by `push`, which arms it then.
import { createRequire } from 'node:module';

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueLike;
}

const FIXED = Symbol.for('odx.kafkajs.requestQueueIdleFix');

/** The RequestQueue class of the kafkajs that `kafkajs` resolves to, or undefined if its layout changed. */
export function kafkajsRequestQueue(): RequestQueueClass | undefined {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('kafkajs');
    // kafkajs ships its sources; main is <pkg>/index.js and the queue is <pkg>/src/network/requestQueue/index.js.
    const queue = require(main.replace(/index\.js$/, 'src/network/requestQueue/index.js')) as RequestQueueClass;
    return typeof queue?.prototype?.scheduleCheckPendingRequests === 'function' ? queue : undefined;
  } catch {
    return undefined;
  }
}

/** Installs the fix once per process; returns whether it is in place. */
export function fixKafkajsIdlePolling(queue: RequestQueueClass | null | undefined = kafkajsRequestQueue()): boolean {
  if (!queue) return false;
  const proto = queue.prototype as RequestQueueLike & { [FIXED]?: true };
  if (proto[FIXED]) return true;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto[FIXED] = true;
  return true;
}
