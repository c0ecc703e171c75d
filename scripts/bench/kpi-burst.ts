// `node --import tsx scripts/bench/kpi-burst.ts`: 20 parallel GET /v1/kpis on an analytics-sink over an index of
// N orders, in rounds, with the KPI cache as set (--cache-ms 0: every call computes, as before issue 14). Runs on the
// stack that is up (it never starts or stops it), in a topic, group and database of its own, removed at the end.
//
//   node --import tsx scripts/bench/kpi-burst.ts -- [--orders 5000] [--parallel 20] [--rounds 3] [--cache-ms 5000]
import { randomUUID } from 'node:crypto';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { createServiceRuntime, mintToken } from '@odx/runtime';
import { loadSinkConfig, startAnalyticsSink } from '@odx/analytics-sink';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { withStackEnv } from '../stack/index.js';
import { printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs('kpi-burst', 'parallel GET /v1/kpis against an analytics-sink, with and without the KPI cache', {
  options: {
    orders: { type: 'string', default: '5000' },
    parallel: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'cache-ms': { type: 'string', default: '5000' },
  },
});
const N = Number(values.orders);
const P = Number(values.parallel);
const ROUNDS = Number(values.rounds);
const CACHE_MS = Number(values['cache-ms']);
/** One summary line per round, printed at the end. */
const figures: SummaryFigure[] = [];
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);

const id = randomUUID().slice(0, 8);
const topic = `bench.kpi-${id}.orders`;
const secret = randomUUID() + randomUUID();
const env: NodeJS.ProcessEnv = {
  ...withStackEnv(),
  ODX_SERVICE_NAME: 'analytics-sink',
  ODX_HTTP_PORT: '0',
  ODX_MONGO_DB: `bench_kpi_${id}`,
  ODX_LOG_LEVEL: 'error',
  ODX_AUTH_JWT_SECRET: secret,
  ODX_AUTH_RATE_LIMIT: '0',
  ODX_SINK_GROUP: `bench-kpi-${id}`,
  ODX_SINK_TOPICS: `${topic}=odx.orders.v1`,
  ODX_SINK_PROVISION_TOPICS: 'false',
  ODX_SINK_KPI_METRICS_INTERVAL_MS: '0',
  ODX_SINK_LIFECYCLE_INTERVAL_MS: '0',
  ODX_SINK_KPI_CACHE_MS: String(CACHE_MS),
};
const rt = await createServiceRuntime({ name: 'analytics-sink', env });
rt.logger.silent = true;
try {
  await rt.cluster.ensureTopics([{ name: topic, partitions: 6, replicationFactor: 1, config: {} }]);
  for (let i = 0; i < N; i += 500) {
    await rt.producer.publish(
      Array.from({ length: Math.min(500, N - i) }, (_, k) => {
        const orderId = `B-${id}-${i + k}`;
        const e = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
        e.order = { ...e.order, orderId, odooId: orderId, name: orderId };
        return { eventType: 'OrderConfirmed' as const, key: orderId, payload: e, topic };
      }),
    );
  }
  const sink = await startAnalyticsSink(rt, loadSinkConfig(env));
  const server = await rt.listen();
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/kpis`;
  const auth = { authorization: `Bearer ${await mintToken({ secret, issuer: 'odx', audience: 'odx' }, 'bench', ['viewer'])}` };
  const deadline = Date.now() + 300_000;
  // Every order counts once it is indexed (the sample events carry their own business dates: no window).
  while ((await sink.queries.computeKpis({ from: null, to: null })).orders.total < N) {
    if (Date.now() > deadline) throw new Error('the sink did not index every order in 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`index: ${N} orders; ${P} parallel GET /v1/kpis per round; ODX_SINK_KPI_CACHE_MS=${CACHE_MS}`);
  for (let round = 1; round <= ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, CACHE_MS + 1_000)); // a cold cache each round
    const t0 = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: P }, () => fetch(url, { headers: auth }).then(async (r) => (await r.arrayBuffer(), r.status))),
    );
    const ms = performance.now() - t0;
    figures.push({
      figure: `${P} parallel GET /v1/kpis, round ${round}`,
      value: ms,
      unit: 'ms',
      note: `${N} orders, cache ${CACHE_MS} ms (cold each round); statuses ${[...new Set(statuses)].join(',')}`,
    });
    console.log(`round ${round}: ${P} parallel calls in ${ms.toFixed(0)} ms (statuses ${[...new Set(statuses)].join(',')})`);
  }
} finally {
  const topics = (await rt.cluster.listTopics()).filter((n) => n.includes(`kpi-${id}`));
  await rt.cluster.deleteTopics(topics).catch(() => undefined);
  await rt.cluster.deleteGroups([`bench-kpi-${id}`, `bench-kpi-${id}-failures`]).catch(() => undefined);
  await rt.db.dropDatabase().catch(() => undefined);
  await rt.shutdown('bench done');
}
printSummary('kpi-burst', figures);
