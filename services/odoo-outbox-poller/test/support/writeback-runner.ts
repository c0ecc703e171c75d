// The poller's write-back handler in a ConsumerRunner of its own (a fresh group on the kit's topic, keys in the
// kit's database), as the service wires it, for the write-back integration tests.
import { randomUUID } from 'node:crypto';
import { ConsumerRunner, IdempotencyStore, dlqTopicName, retryTopicName } from '@odx/runtime';
import { versionAdapter } from '../../src/odoo/version-adapter.js';
import type { EchoMarks } from '../../src/writeback/echo-marks.js';
import { writebackHandler } from '../../src/writeback/writeback-handlers.js';
import type { PollerTestKit } from './kit.js';
import type { OdooFixture } from './odoo.js';

/** Starts the runner; `handled` is called after each event's write. `completion` as the runner takes it. */
export async function runWriteback(
  t: { after: (fn: () => Promise<void>) => void },
  kit: PollerTestKit,
  odoo: OdooFixture,
  handled: () => void,
  o: { echoes?: EchoMarks; completion?: 'each' | 'batch' } = {},
): Promise<ConsumerRunner> {
  const groupId = `wb-${randomUUID().slice(0, 8)}`;
  const handler = writebackHandler({
    client: odoo.client,
    adapter: versionAdapter(17),
    logger: kit.logger,
    confirmReceivedOrders: false,
    ...(o.echoes ? { echoes: o.echoes } : {}),
  });
  const runner = new ConsumerRunner({
    kafka: kit.kafka,
    serde: kit.serde,
    producer: kit.producer,
    logger: kit.logger,
    groupId,
    topics: [kit.topic],
    ...(o.completion ? { completion: o.completion } : {}),
    idempotency: new IdempotencyStore({ db: kit.db }),
    retryDelaysMs: [500],
    circuits: [odoo.client.circuit],
    handler: async (e) => {
      await handler(e);
      handled();
    },
  });
  kit.track(retryTopicName(kit.topic, groupId, 1));
  kit.track(dlqTopicName(kit.topic, groupId));
  t.after(() => runner.close());
  await runner.start();
  return runner;
}

/** Waits until `cond` holds, polling every 100 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
