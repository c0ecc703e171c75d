import { setTimeout as sleep } from 'node:timers/promises';
import { LatestValueFeed, provisionCatalogTopics, type ServiceRuntime } from '@odx/runtime';
import { topicByName } from '@odx/schemas';
import type { OrchestratorConfig } from './config.js';
import { mountProcessRoutes } from './http/process-routes.js';
import { IntakeRouter } from './intake/intake-router.js';
import { InvoiceLinks } from './intake/invoice-links.js';
import { productKinds, type ProductDoc } from './intake/product-feed.js';
import { stockLevels, type LevelDoc } from './intake/stock-feed.js';
import { createOrchestratorMetrics, type OrchestratorMetrics } from './orchestrator-metrics.js';
import { loadExceptionDeskSettings, startExceptionDesk, type ExceptionDesk } from './cases/index.js';
import { loadOrchestratorPolicy, OdooCreditReader, policyPort, ProductView, StockView, type OrchestratorPolicy } from './policy/index.js';
import { BridgeCatchUp } from './process/bridge-catch-up.js';
import { LoggingCaseDesk, type CaseDeskPort } from './process/case-port.js';
import { EffectExecutor } from './process/effect-executor.js';
import { InboxConsumer, NO_CREDIT_FACTS, type CreditReader } from './process/inbox-consumer.js';
import { ProcessCommands } from './process/process-commands.js';
import { ProcessStore } from './process/process-store.js';
import { orchestratorSubscriptions, singleTopic } from './subscriptions.js';
import { DueIndex } from './timers/due-index.js';
import { TimerScanner, type TimerScanResult } from './timers/timer-scan.js';

export interface OrderOrchestrator {
  store: ProcessStore;
  index: DueIndex;
  intake: IntakeRouter;
  inbox: InboxConsumer;
  stock: LatestValueFeed<LevelDoc>;
  /** The kind of each product (storable, consumable, service) from odx.products.v1: allocation reads it. */
  products: LatestValueFeed<ProductDoc>;
  timers: TimerScanner;
  executor: EffectExecutor;
  /** Operator commands to a process (retry a step, approve a credit hold): the exception desk sends them. */
  commands: ProcessCommands;
  metrics: OrchestratorMetrics;
  /** The exception desk (cases, their API, escalation, DLQ intake), unless the caller passed its own. */
  desk: ExceptionDesk | undefined;
  /** Hands case openings and resolutions to the exception desk (until then they are logged). */
  useCaseDesk(cases: CaseDeskPort): void;
  /** One timer scan now (tests; the loop runs every ODX_ORCHESTRATOR_TIMER_SCAN_MS). */
  scanTimers(now?: number): Promise<TimerScanResult>;
  /** Stops the loops (timer scan, consumers); the runtime's shutdown does the same. */
  stop(): Promise<void>;
}

export interface OrchestratorDeps {
  /** @default loaded from config.policyDir */
  policy?: OrchestratorPolicy;
  /** The customers' credit position (Odoo). @default nothing owed, no limit */
  credit?: CreditReader;
  /** @default the exception desk (src/cases) on this runtime; `false`: a desk that only logs (benchmarks) */
  cases?: CaseDeskPort | false;
  /** The desk's settings. @default loadExceptionDeskSettings() (ODX_CASES_*) */
  deskEnv?: NodeJS.ProcessEnv;
}

/**
 * Wires the orchestrator into a runtime: the intake router (canonical topics
 * -> inbox), the inbox consumer (the single writer of each order's process),
 * the stock feed, the timer scan, effects (publishes, catch-up requests,
 * cases) and `GET /v1/orders/:ref/process`. Call before `rt.listen()`.
 */
export async function startOrderOrchestrator(
  rt: ServiceRuntime,
  config: OrchestratorConfig,
  deps: OrchestratorDeps = {},
): Promise<OrderOrchestrator> {
  if (config.provisionTopics) await provisionCatalogTopics(rt.cluster);
  const port = policyPort(deps.policy ?? loadOrchestratorPolicy(config.policyDir));
  const productView = new ProductView();
  // Allocation knows which lines need no stock (consumables, services) from the product view; the fold may pass
  // the kinds itself (FoldContext.products), else they are read here.
  const policy: typeof port = {
    ...port,
    allocate: (input) => port.allocate(input.products ? input : { ...input, products: productView.kinds(input.lines.map((l) => l.sku)) }),
  };
  const credit = deps.credit ?? creditReaderOf(config);
  const metrics = createOrchestratorMetrics(rt.metrics);
  const store = new ProcessStore(rt.db, { cacheSize: config.cacheSize, logger: rt.logger });
  metrics.watch(() => store.cached());
  const index = new DueIndex(rt.db, config.timers.slotMs);
  const links = new InvoiceLinks(rt.db);
  await links.init();
  const view = new StockView();
  const fatal = (what: string) => (err: Error) => rt.lifecycle.fail(`${what} crashed`, err);
  const subscriptions = orchestratorSubscriptions(config);

  const executor = new EffectExecutor({
    producer: rt.producer,
    topics: { shipments: config.topics.shipments, process: config.topics.process },
    cases: deps.cases || new LoggingCaseDesk(rt.logger),
    catchUp: new BridgeCatchUp(
      { wms: config.bridges.wms, tms: config.bridges.tms },
      config.bridges.timeoutMs,
      rt.logger,
      (bridge, outcome) => metrics.catchUps.inc({ bridge, outcome }),
    ),
    logger: rt.logger,
    onEffect: (kind, n) => metrics.effects.inc({ kind }, n),
  });
  const inbox = new InboxConsumer({
    cluster: rt.cluster,
    serde: rt.serde,
    store,
    index,
    executor,
    policy,
    settings: {
      releaseMode: config.releaseMode,
      company: rt.config.company,
      retryDelaysMs: config.retryDelaysMs,
      service: 'order-orchestrator',
    },
    credit,
    stock: (skus) => view.snapshot(skus),
    logger: rt.logger,
    ...singleTopic(subscriptions.inbox),
    partitionConcurrency: config.partitionConcurrency,
    metrics,
    onFatal: fatal('inbox consumer'),
  });
  const intake = new IntakeRouter({
    cluster: rt.cluster,
    serde: rt.serde,
    producer: rt.producer,
    links,
    logger: rt.logger,
    ...subscriptions.intake,
    inboxTopic: config.topics.inbox,
    partitionConcurrency: config.partitionConcurrency,
    onRouted: (outcome, n) => metrics.intake.inc({ outcome }, n),
    onFatal: fatal('intake router'),
  });
  const stock = new LatestValueFeed(stockLevels(view), {
    cluster: rt.cluster,
    serde: rt.serde,
    db: rt.db,
    logger: rt.logger,
    ...singleTopic(subscriptions.stock),
    refreshMs: config.stockRefreshMs,
    onFatal: fatal('stock feed'),
  });
  const products = new LatestValueFeed(productKinds(productView), {
    cluster: rt.cluster,
    serde: rt.serde,
    db: rt.db,
    logger: rt.logger,
    ...singleTopic(subscriptions.products),
    refreshMs: config.stockRefreshMs,
    onFatal: fatal('product feed'),
  });
  const timers = new TimerScanner({
    index,
    producer: rt.producer,
    inboxTopic: config.topics.inbox,
    company: rt.config.company,
    partitions: topicByName('odx.orchestrator.inbox.v1').partitions,
    refireMs: config.timers.refireMs,
    logger: rt.logger,
  });
  const commands = new ProcessCommands(rt.producer, config.topics.inbox, rt.config.company);
  let desk: ExceptionDesk | undefined;
  if (deps.cases === undefined) {
    // Dead letters of groups that do a process step reach the process as step failures (one case, opened by it).
    desk = await startExceptionDesk(rt, loadExceptionDeskSettings(deps.deskEnv), {
      commands,
      failures: commands,
      dlqReaderGroupPrefix: `${config.groupId}-dlq-intake`,
    });
    executor.useCaseDesk(desk.desk);
  }
  mountProcessRoutes(rt.http.api, { store });

  await stock.start();
  await products.start();
  await inbox.start();
  await intake.start();

  const abort = new AbortController();
  const scanTimers = async (now?: number): Promise<TimerScanResult> => {
    const r = await timers.scan(now);
    if (r.fired > 0) metrics.timersFired.inc(r.fired);
    return r;
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await sleep(config.timers.scanMs, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      await scanTimers().catch((err: unknown) => rt.logger.warn('timer scan failed; next scan tries again', { err }));
    }
  })();

  const sweeper = (async () => {
    while (!abort.signal.aborted) {
      await sleep(config.sweep.intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      const before = Date.now() - config.sweep.retentionMs;
      await store
        .sweepClosed(before, abort.signal)
        .then(async (n) => n + (await links.sweep(new Date(before), abort.signal)))
        .then((n) => n > 0 && rt.logger.info('closed processes and old invoice links swept', { deleted: n }))
        .catch((err: unknown) => rt.logger.warn('sweep of closed processes failed; the next one tries again', { err }));
    }
  })();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      abort.abort();
      await loop;
      await sweeper;
      await intake.close();
      await inbox.close();
      await stock.close();
      await products.close();
      await executor.drain();
      await desk?.stop();
    })());
  rt.lifecycle.register('order-orchestrator', stop);
  return {
    store,
    index,
    intake,
    inbox,
    stock,
    products,
    timers,
    executor,
    commands,
    metrics,
    desk,
    useCaseDesk: (cases) => executor.useCaseDesk(cases),
    scanTimers,
    stop,
  };
}

/** The customers' credit position from Odoo (ODOO_*), or none. */
function creditReaderOf(config: OrchestratorConfig): CreditReader {
  if (!config.odoo) return NO_CREDIT_FACTS;
  const { cacheTtlMs, ...odoo } = config.odoo;
  const reader = new OdooCreditReader({ ...odoo, cacheTtlMs });
  return { read: ({ partyId }) => reader.read(partyId) };
}
