// The claim window opened ahead (batch-processor.ts), over the runner's own ports: an injected group client
// and a claim ledger standing in for the idempotency store's interface (the store itself is tested against the
// real server in test/integration/idempotency.test.ts). What matters here is the order of the round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka } from 'kafkajs';
import type { Claim, ClaimOutcome, IdempotencyStore } from '../../src/idempotency/idempotency-store.js';
import { ConsumerRunner, type ConsumerRunnerOptions, type PartitionBatch } from '../../src/kafka/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ScriptedClient } from '../support/scripted-group-client.js';

const logger = createLogger({ service: 'test' });
logger.silent = true;

/** The store's claim protocol in memory, logging each round trip as it starts. */
class ClaimLedger {
  readonly log: string[] = [];
  private readonly done = new Set<string>();
  private readonly held = new Set<string>();
  readonly leaseDurationMs = 30_000;

  async init(): Promise<void> {}
  private outcome(scope: string, eventId: string): ClaimOutcome {
    if (this.done.has(eventId)) return { status: 'duplicate', completedAt: new Date() };
    if (this.held.has(eventId)) return { status: 'busy', owner: 'me', retryAfterMs: this.leaseDurationMs };
    this.held.add(eventId);
    return { status: 'acquired', claim: { key: `${scope}:${eventId}`, scope, eventId, owner: 'me', generation: 0 } };
  }
  async claimMany(scope: string, ids: string[]): Promise<Map<string, ClaimOutcome>> {
    this.log.push(`claim ${ids.join(',')}`);
    await new Promise((r) => setTimeout(r, 2));
    return new Map(ids.map((id) => [id, this.outcome(scope, id)]));
  }
  async claim(scope: string, id: string): Promise<ClaimOutcome> {
    this.log.push(`claim ${id}`);
    return this.outcome(scope, id);
  }
  async completeMany(claims: Claim[]): Promise<number> {
    this.log.push(`complete ${claims.map((c) => c.eventId).join(',')}`);
    await new Promise((r) => setTimeout(r, 2));
    for (const c of claims) this.done.add(c.eventId);
    return claims.length;
  }
  async complete(claim: Claim): Promise<boolean> {
    this.log.push(`complete ${claim.eventId}`);
    this.done.add(claim.eventId);
    return true;
  }
  async releaseMany(claims: Claim[]): Promise<void> {
    this.log.push(`release ${claims.map((c) => c.eventId).join(',')}`);
    for (const c of claims) this.held.delete(c.eventId);
  }
  async release(claim: Claim): Promise<void> {
    await this.releaseMany([claim]);
  }
}

async function run(
  ledger: ClaimLedger,
  ids: string[],
  extra: Partial<ConsumerRunnerOptions> & { active?: () => boolean } = {},
): Promise<{ resolved: string[]; paused: number }> {
  const client = new ScriptedClient();
  const { active, ...options } = extra;
  const r = new ConsumerRunner(
    {
      kafka: new Kafka({ brokers: ['127.0.0.1:9'] }), // never connected: the scripted client stands in
      serde: {
        decode: async (value) => ({
          schemaId: 1,
          fullName: 'com.odx.events.OrderConfirmed',
          eventType: 'OrderConfirmed',
          payload: { meta: { eventId: value?.toString() } },
        }),
      },
      producer: { connect: async () => undefined, publishRaw: async () => undefined },
      logger,
      groupId: 'g',
      topics: ['odx.orders.v1'],
      // The ledger has the store's interface, not its class (whose private fields make it nominal).
      idempotency: ledger as unknown as IdempotencyStore,
      provisionTopics: false,
      retryDelaysMs: [1_000],
      claimBatchSize: 3,
      handler: async (e) => {
        ledger.log.push(`effect ${e.eventId}`);
        await new Promise((r) => setTimeout(r, 3));
      },
      ...options,
    },
    () => client,
  );
  await r.start();
  const resolved: string[] = [];
  let paused = 0;
  const batch: PartitionBatch = {
    topic: 'odx.orders.v1',
    partition: 0,
    messages: ids.map((id, i) => ({ offset: String(i), key: Buffer.from('k'), value: Buffer.from(id), headers: {} })),
    isActive: active ?? (() => true),
    resolveOffset: (o) => void resolved.push(o),
    heartbeat: async () => undefined,
    pause: () => {
      paused++;
      return () => undefined;
    },
  };
  await client.eachBatch!(batch);
  await r.close();
  return { resolved, paused };
}

const at = (log: string[], entry: string): number => {
  const i = log.indexOf(entry);
  assert.notEqual(i, -1, `${entry} in ${log.join(' | ')}`);
  return i;
};

test('batch mode claims the next window while this one settles, and no effect runs before the window before it is complete', async () => {
  const ledger = new ClaimLedger();
  const { resolved } = await run(ledger, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  const { log } = ledger;
  assert.deepEqual(
    log.filter((l) => l.startsWith('effect')),
    ['effect a', 'effect b', 'effect c', 'effect d', 'effect e', 'effect f', 'effect g'],
  );
  // The second window's claims went out before the first window's effects were over.
  assert.ok(at(log, 'claim d,e,f') < at(log, 'effect c'), log.join(' | '));
  assert.ok(at(log, 'claim g') < at(log, 'effect f'), log.join(' | '));
  // Each window's done marks are written before any effect of the next one.
  assert.ok(at(log, 'complete a,b,c') < at(log, 'effect d'));
  assert.ok(at(log, 'complete d,e,f') < at(log, 'effect g'));
  assert.deepEqual(resolved, ['2', '5', '6']);
  assert.equal(log.filter((l) => l.startsWith('release')).length, 0, 'nothing to give back');
});

test('each mode does not claim ahead: a window is claimed after the last effect of the one before', async () => {
  const ledger = new ClaimLedger();
  await run(ledger, ['a', 'b', 'c', 'd', 'e'], { completion: 'each' });
  assert.ok(at(ledger.log, 'claim d,e') > at(ledger.log, 'complete c'), ledger.log.join(' | '));
});

test('a window that stops early gives back its own unreached claims and those of the window opened ahead', async () => {
  const ledger = new ClaimLedger();
  let checks = 0;
  // Active for the first message only: the consumer stops (a rebalance) in the middle of the first window.
  const { resolved } = await run(ledger, ['a', 'b', 'c', 'd', 'e', 'f'], { active: () => checks++ < 2 });
  const released = ledger.log.filter((l) => l.startsWith('release')).flatMap((l) => l.slice(8).split(','));
  assert.deepEqual(
    ledger.log.filter((l) => l.startsWith('effect')),
    ['effect a'],
  );
  assert.deepEqual(released.sort(), ['b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(resolved, ['0']);
});

test('an event repeated in the window after it is claimed when that window runs: a duplicate, not a wait for its own lease', async () => {
  const ledger = new ClaimLedger();
  const { resolved, paused } = await run(ledger, ['a', 'b', 'c', 'c', 'd', 'e']);
  assert.deepEqual(
    ledger.log.filter((l) => l.startsWith('effect')),
    ['effect a', 'effect b', 'effect c', 'effect d', 'effect e'],
  );
  assert.ok(ledger.log.includes('claim d,e'), 'the window opened ahead left c out');
  assert.ok(at(ledger.log, 'claim c') > at(ledger.log, 'complete a,b,c'), 'and claimed it once c was done');
  assert.equal(paused, 0, 'no hold');
  assert.deepEqual(resolved, ['2', '5']);
});
