// `npm run bench:store`: the MongoDB-wire store through ODX's own code paths
// (the bounded helpers and IdempotencyStore of @odx/runtime), to compare
// FerretDB backends (SQLite, PostgreSQL) or any MongoDB by measurement. In a
// fresh database (dropped at the end) it times: single inserts, `_id` reads and
// `_id` updates; chunked insertMany and replaceOne upserts; idempotency claims
// of fresh keys and of keys already done (a redelivery after a restart) in an empty collection
// and in one holding --history documents; a non-`_id` equality find and an
// `_id: {$in}` find at that size, with what the server's explain says about
// pushdown; a batched delete sweep. Prints the machine, what the server says
// it is, and the figures; nothing is asserted.
//
// Uses ODX_MONGO_URL as is when set, otherwise brings up the stack's mongo part.
// Prefer an instance of your own (docs/benchmarks.md shows how): on SQLite the
// redelivery step holds all of FerretDB's backend connections for minutes,
// long enough for the launcher's probe to restart a shared instance.
//
// The upsert and redelivery steps stop after --seconds (at least one round)
// on a slow backend, so they may cover fewer than --upserts / all keys.
//
//   npm run bench:store -- [--history 50000] [--seconds 3] [--label sqlite] [--docs 20000] [--upserts 2000] [--events 10000] [--redelivery-batch 200]
import { randomUUID } from 'node:crypto';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import {
  IdempotencyStore,
  bulkWriteInChunks,
  deleteManyInBatches,
  findByIds,
  insertManyInChunks,
  insertOnce,
  storeLimits,
  type Claim,
} from '@odx/runtime';
import { MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type Document, type Filter } from 'mongodb';
import { stackUp } from '../stack/index.js';
import { printSummary } from './summary.js';

const { values } = parseCliArgs('bench:store', "the MongoDB-wire store through ODX's own code paths", {
  options: {
    history: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '3' },
    label: { type: 'string', default: '' },
    docs: { type: 'string', default: '20000' },
    upserts: { type: 'string', default: '2000' },
    events: { type: 'string', default: '10000' },
    'redelivery-batch': { type: 'string', default: '200' },
  },
});
const HISTORY = Number(values.history);
const SECONDS = Number(values.seconds);
const DOCS = Number(values.docs);
const UPSERTS = Number(values.upserts);
const EVENTS = Number(values.events);
const CLAIM_BATCH = 200;
/**
 * Keys per claimMany of a redelivery: by default a consumer's claim window.
 * Each key already done costs up to five `_id` lookups, all keys of the call
 * at once, so on a slow backend one round of 200 can take a minute or more;
 * a smaller batch keeps the run short.
 */
const REDELIVERY_BATCH = Number(values['redelivery-batch']);
for (const [name, v] of Object.entries({
  history: HISTORY,
  docs: DOCS,
  upserts: UPSERTS,
  events: EVENTS,
  'redelivery-batch': REDELIVERY_BATCH,
})) {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`usage: --${name} must be a positive integer, got "${String(values[name as keyof typeof values])}"`);
}
if (!(SECONDS > 0)) throw new Error(`usage: --seconds must be > 0, got "${values.seconds}"`);

const url = process.env['ODX_MONGO_URL'] ?? (await stackUp({ quiet: true, parts: ['mongo'] })).mongoUrl;
const cpu = cpus();
console.log(`bench:store ${new Date().toISOString()}${values.label ? ` [${values.label}]` : ''}`);
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);

const client = await new MongoClient(url, { serverSelectionTimeoutMS: 10_000, appName: 'bench-store' }).connect();
const db = client.db(`odx_bench_store_${randomUUID().slice(0, 8)}`);
console.log(`store: ${maskCredentials(url)} | ${await describeServer(db)}`);
const limits = storeLimits();
console.log(
  `limits: ${limits.maxStatements} statements/command, ${limits.maxInsertDocuments} docs/insert, ${limits.maxDeleteBatch} ids/delete`,
);

/** Every benchmark document has a string `_id`, as ODX's stores do. */
interface BenchDoc extends Document {
  _id: string;
}
type Coll = Collection<BenchDoc>;

/** One line of the main table. */
interface Row {
  step: string;
  size: string;
  count: number;
  seconds: number;
  rate: string;
  /** What `rate` counts per second (ops, docs, events). */
  unit: string;
  notes: string;
}
/** One line of the lookup table. */
interface Lookup {
  query: string;
  size: number;
  pushdown: string;
  ms: number[];
}
const rows: Row[] = [];
const lookups: Lookup[] = [];

function maskCredentials(u: string): string {
  return u.replace(/\/\/[^@/]*@/, '//***:***@');
}

/** What the server says it is: buildInfo, serverStatus, and FerretDB's "Powered by" startup line (which names the backend). */
async function describeServer(d: Db): Promise<string> {
  const admin = d.admin();
  const info = (await admin.command({ buildInfo: 1 }).catch(() => ({}))) as Document;
  const status = (await admin.command({ serverStatus: 1 }).catch(() => ({}))) as Document;
  const log = (await admin.command({ getLog: 'startupWarnings' }).catch(() => ({ log: [] }))) as { log?: string[] };
  const powered = (log.log ?? [])
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
      } catch {
        return line;
      }
    })
    .find((msg) => /powered by/i.test(msg));
  const parts = [`buildInfo.version ${String(info['version'] ?? '?')}`];
  if ('ferretdbVersion' in info) parts.push(`ferretdbVersion ${String(info['ferretdbVersion'])}`);
  if (status['process']) parts.push(`process ${String(status['process'])}`);
  parts.push(powered ? `startup log: "${powered}"` : 'no "Powered by" startup line');
  return parts.join(', ');
}

const now = (): number => performance.now();
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Runs `op(i)` one at a time for SECONDS seconds; adds a row with ops/s and latency percentiles. */
async function timed(step: string, collection: Coll, op: (i: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  const before = await collection.countDocuments();
  const t0 = now();
  while (now() - t0 < SECONDS * 1000) {
    const s = now();
    await op(ms.length);
    ms.push(now() - s);
  }
  const seconds = (now() - t0) / 1000;
  ms.sort((a, b) => a - b);
  rows.push({
    step,
    size: `${fmt(before)} → ${fmt(await collection.countDocuments())}`,
    count: ms.length,
    seconds,
    rate: `${fmt(ms.length / seconds)} ops/s`,
    unit: 'ops/s',
    notes: `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`,
  });
  progress(rows.at(-1)!);
  return ms.length;
}

/** Times one run of `work` over `count` items; adds a row. */
async function once<T>(
  step: string,
  collection: Coll,
  unit: string,
  count: number | ((r: T) => number),
  work: () => Promise<T>,
  notes: (r: T) => string = () => '',
): Promise<T> {
  const before = await collection.countDocuments();
  const t0 = now();
  const result = await work();
  const seconds = (now() - t0) / 1000;
  const n = typeof count === 'number' ? count : count(result);
  const size = `${fmt(before)} → ${fmt(await collection.countDocuments())}`;
  rows.push({ step, size, count: n, seconds, rate: `${fmt(n / seconds)} ${unit}/s`, unit: `${unit}/s`, notes: notes(result) });
  progress(rows.at(-1)!);
  return result;
}

function progress(r: Row): void {
  process.stderr.write(`  ${r.step}: ${r.rate} (${r.count} in ${r.seconds.toFixed(2)} s, ${r.size} docs)\n`);
}

/** Server's own word on whether `filter` reaches the backend's index (FerretDB's explain has `filterPushdown`). */
async function pushdownOf(collection: Coll, filter: Filter<BenchDoc>): Promise<string> {
  const ex = (await collection
    .find(filter)
    .explain()
    .catch(() => ({}))) as Document;
  if ('filterPushdown' in ex) return ex['filterPushdown'] ? 'yes' : 'no (scan)';
  const stage = JSON.stringify(ex['queryPlanner']?.winningPlan ?? '').match(/"stage":"(\w+)"/)?.[1];
  return stage ? `plan ${stage}` : '?';
}

async function lookup(query: string, collection: Coll, filter: Filter<BenchDoc>, runs: number): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await collection.find(filter).toArray();
    ms.push(now() - t0);
  }
  lookups.push({ query, size: await collection.countDocuments(), pushdown: await pushdownOf(collection, filter), ms });
  process.stderr.write(`  ${query}: ${ms.map((m) => m.toFixed(1)).join(', ')} ms\n`);
}

/** Claims and completes `ids` in batches of CLAIM_BATCH, as a consumer's claim window does. */
async function claimAndComplete(store: IdempotencyStore, ids: string[]): Promise<number> {
  let completed = 0;
  for (let i = 0; i < ids.length; i += CLAIM_BATCH) {
    const outcomes = await store.claimMany('bench', ids.slice(i, i + CLAIM_BATCH));
    const claims: Claim[] = [];
    for (const o of outcomes.values()) if (o.status === 'acquired' || o.status === 'taken-over') claims.push(o.claim);
    completed += await store.completeMany(claims);
  }
  return completed;
}

/**
 * Redelivers keys already done, REDELIVERY_BATCH at a time, for about SECONDS
 * seconds (at least one batch), through a new IdempotencyStore on the same
 * collection: as after a crash and restart, nothing is remembered in-process,
 * so every key goes to the store.
 */
async function redeliver(step: string, collection: string, ids: string[]): Promise<void> {
  const store = new IdempotencyStore({ db, collection });
  const before = await store.collection.countDocuments();
  const statuses = new Map<string, number>();
  let count = 0;
  const t0 = now();
  for (let i = 0; i < ids.length && (i === 0 || now() - t0 < SECONDS * 1000); i += REDELIVERY_BATCH) {
    const batch = ids.slice(i, i + REDELIVERY_BATCH);
    for (const o of (await store.claimMany('bench', batch)).values()) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    count += batch.length;
  }
  const seconds = (now() - t0) / 1000;
  const size = `${fmt(before)} → ${fmt(await store.collection.countDocuments())}`;
  rows.push({
    step,
    size,
    count,
    seconds,
    rate: `${fmt(count / seconds)} events/s`,
    unit: 'events/s',
    notes: [...statuses].map(([s, n]) => `${n} ${s}`).join(', '),
  });
  progress(rows.at(-1)!);
}

const expiresIn = (ms: number): Date => new Date(Date.now() + ms);
const DAY = 24 * 3600_000;

try {
  // 1. Single operations, sequential, on a collection that grows only by what phase 1 inserts.
  const single = db.collection<BenchDoc>('single');
  const inserted = await timed('insertOne (insertOnce)', single, (i) =>
    insertOnce(single, { _id: `s-${i}`, key: `k-${i % 100}`, n: i, at: new Date() }),
  );
  await timed('findOne by _id (findByIds, 1 id)', single, () => findByIds(single, [`s-${Math.floor(Math.random() * inserted)}`]));
  await timed('updateOne by _id ($set)', single, (i) =>
    single.updateOne({ _id: `s-${Math.floor(Math.random() * inserted)}` }, { $set: { n: -i } }),
  );

  // 2. Chunked writes. Half of the documents are already expired, for the delete sweep of step 5.
  const bulk = db.collection<BenchDoc>('bulk');
  const docs = Array.from({ length: DOCS }, (_, i) => ({
    _id: `b-${i}`,
    key: `k-${i % 1000}`,
    n: i,
    expiresAt: expiresIn(i % 2 === 0 ? -DAY : DAY),
  }));
  await once(
    'insertManyInChunks',
    bulk,
    'docs',
    DOCS,
    () => insertManyInChunks(bulk, docs),
    (r) => `${r.inserted} inserted, ${r.commands} commands`,
  );
  // Half replace existing documents, half insert new ones.
  const ops: AnyBulkWriteOperation<BenchDoc>[] = Array.from({ length: UPSERTS }, (_, i) => {
    const id = i % 2 === 0 ? `b-${2 * i + 1}` : `u-${i}`;
    return { replaceOne: { filter: { _id: id }, replacement: { key: `r-${i}`, n: i, expiresAt: expiresIn(DAY) }, upsert: true } };
  });
  // Sent two commands' worth at a time until all are done or SECONDS have passed (about 20 upserts/s were seen).
  await once(
    'bulkWriteInChunks (replaceOne upsert)',
    bulk,
    'ops',
    (r) => r.matched + r.upserted,
    async () => {
      const total = { matched: 0, upserted: 0, commands: 0 };
      const step = 2 * storeLimits().maxStatements;
      const t0 = now();
      for (let i = 0; i < ops.length && (i === 0 || now() - t0 < SECONDS * 1000); i += step) {
        const r = await bulkWriteInChunks(bulk, ops.slice(i, i + step));
        total.matched += r.matched;
        total.upserted += r.upserted;
        total.commands += r.commands;
      }
      return total;
    },
    (r) => `${r.matched} replaced, ${r.upserted} upserted, ${r.commands} commands`,
  );

  // 3. Idempotency: fresh keys, then the same keys redelivered; empty collection, then one with HISTORY documents.
  const fresh = new IdempotencyStore({ db, collection: 'idem_empty' });
  await fresh.init();
  const ids0 = Array.from({ length: EVENTS }, (_, i) => `e0-${i}`);
  await once(
    `claimMany+completeMany, fresh keys (batches of ${CLAIM_BATCH})`,
    fresh.collection as unknown as Coll,
    'events',
    EVENTS,
    () => claimAndComplete(fresh, ids0),
    (n) => `${n} completed`,
  );
  await redeliver(`claimMany, keys already done, new process (batches of ${REDELIVERY_BATCH})`, 'idem_empty', ids0);

  const aged = new IdempotencyStore({ db, collection: 'idem_history' });
  await aged.init();
  // History shaped as the store writes it: a claim and a done mark per event.
  const past = new Date();
  const history = Array.from({ length: HISTORY }, (_, i) => {
    const key = IdempotencyStore.key('bench', `h-${Math.floor(i / 2)}`);
    return i % 2 === 0
      ? { _id: `${key}@0`, key, owner: 'history', lease: past, expiresAt: expiresIn(8 * DAY) }
      : { _id: `${key}!done`, key, expiresAt: expiresIn(7 * DAY) };
  });
  const agedDocs = aged.collection as unknown as Coll;
  await once(
    'history fill (insertManyInChunks)',
    agedDocs,
    'docs',
    HISTORY,
    () => insertManyInChunks(agedDocs, history),
    (r) => `${r.inserted} inserted`,
  );
  const ids1 = Array.from({ length: EVENTS }, (_, i) => `e1-${i}`);
  await once(
    `claimMany+completeMany, fresh keys, after history`,
    agedDocs,
    'events',
    EVENTS,
    () => claimAndComplete(aged, ids1),
    (n) => `${n} completed`,
  );
  await redeliver(`claimMany, keys already done, new process, after history (batches of ${REDELIVERY_BATCH})`, 'idem_history', ids1);

  // 4. Lookups at the history size: which filters the backend answers from its index.
  const someKey = IdempotencyStore.key('bench', `h-${Math.floor(HISTORY / 4)}`);
  await lookup('find({ _id: id }) (exact _id)', agedDocs, { _id: `${someKey}!done` }, 5);
  await lookup("find({ key: 'x' }) (non-_id equality)", agedDocs, { key: someKey }, 3);
  const fiveIds = [0, 1, 2, 3, 4].map((k) => `${IdempotencyStore.key('bench', `h-${Math.floor(((HISTORY / 10) * (k + 1)) / 2)}`)}!done`);
  await lookup('find({ _id: { $in: [5 ids] } })', agedDocs, { _id: { $in: fiveIds } }, 3);

  // 5. A sweep: deleteManyInBatches of the expired half of `bulk` (read ids by filter, delete by _id in batches).
  await once(
    'deleteManyInBatches (expiresAt < now)',
    bulk,
    'docs',
    (r) => r.deleted,
    () => deleteManyInBatches(bulk, { expiresAt: { $lt: new Date() } }),
    (r) => `${r.deleted} deleted in ${r.batches} batches`,
  );
} finally {
  await db.dropDatabase().catch((err: unknown) => console.error(`could not drop ${db.databaseName}: ${String(err)}`));
  await client.close();
}

console.log('');
console.log(`| step | docs in collection (before → after) | count | seconds | rate | notes |`);
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.step} | ${r.size} | ${fmt(r.count)} | ${r.seconds.toFixed(2)} | ${r.rate} | ${r.notes} |`);
console.log('');
console.log('| lookup | docs in collection | server pushdown (explain) | ms per run |');
console.log('|---|---:|---|---|');
for (const l of lookups) console.log(`| ${l.query} | ${fmt(l.size)} | ${l.pushdown} | ${l.ms.map((m) => m.toFixed(1)).join(', ')} |`);
const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? Number.NaN;
printSummary('store', [
  ...rows.map((r) => ({
    figure: r.step,
    value: r.count / r.seconds,
    unit: r.unit,
    note: `docs ${r.size}${r.notes ? `; ${r.notes}` : ''}`,
  })),
  ...lookups.map((l) => ({
    figure: l.query,
    value: median(l.ms),
    unit: 'ms',
    note: `median of ${l.ms.length}, ${fmt(l.size)} docs, pushdown ${l.pushdown}`,
  })),
]);
process.exit(0);
