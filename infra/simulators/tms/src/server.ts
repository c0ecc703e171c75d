import { createSimulatorApp, FaultController, listen, TimerSet, WebhookDispatcher } from '@odx/sim-wms/kit';
import { compileTmsOptions, type CompiledTmsOptions, type TmsSimulatorOptions } from './options.js';
import { tmsAdmin, tmsApi } from './routes.js';
import { Shipments } from './shipments.js';

/** A running TMS simulator and the handles tests use besides HTTP. */
export interface TmsSimulator {
  /** Base URL, e.g. `http://127.0.0.1:8071`. */
  url: string;
  port: number;
  options: CompiledTmsOptions;
  faults: FaultController;
  webhooks: WebhookDispatcher;
  shipments: Shipments;
  /** Same as `POST /sim/admin/reset`. */
  reset(): void;
  /** Stops timers, cancels pending deliveries, closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts the TMS simulator; resolves once it listens. */
export async function startTmsSimulator(options: TmsSimulatorOptions = {}): Promise<TmsSimulator> {
  const compiled = compileTmsOptions(options);
  const faults = new FaultController(compiled.faults, compiled.random);
  const webhooks = new WebhookDispatcher({
    userAgent: 'odx-sim-tms/0.1',
    defaultSecret: compiled.webhookSecret,
    policy: compiled.delivery,
    faults,
    subscriptions: compiled.webhookUrl === null ? [] : [{ url: compiled.webhookUrl }],
    maxLogSize: compiled.maxDeliveryLog,
  });
  const timers = new TimerSet();
  let baseUrl = `http://${compiled.host}:${compiled.port}`;
  const shipments = new Shipments({ options: compiled, webhooks, timers, baseUrl: () => baseUrl, random: compiled.random });
  const app = createSimulatorApp({
    name: 'tms',
    adminToken: compiled.adminToken,
    faults,
    webhooks,
    api: tmsApi(shipments),
    admin: tmsAdmin(shipments),
    onReset: () => shipments.reset(),
    maxJsonDepth: compiled.maxJsonDepth,
  });
  const running = await listen(app, compiled.host, compiled.port);
  baseUrl = running.url;
  let closing: Promise<void> | undefined;
  return {
    url: running.url,
    port: running.port,
    options: compiled,
    faults,
    webhooks,
    shipments,
    reset() {
      faults.reset();
      webhooks.reset();
      shipments.reset();
    },
    close() {
      closing ??= (async () => {
        timers.clear();
        webhooks.close();
        await running.close();
      })();
      return closing;
    },
  };
}
