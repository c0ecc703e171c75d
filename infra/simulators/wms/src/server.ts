import { createSimulatorApp, FaultController, listen, TimerSet, WebhookDispatcher } from './kit/index.js';
import { InboundOrders } from './inbound-orders.js';
import { Inventory } from './inventory.js';
import { compileWmsOptions, type CompiledWmsOptions, type WmsSimulatorOptions } from './options.js';
import { OutboundOrders } from './outbound-orders.js';
import { wmsAdmin, wmsApi } from './routes.js';

/** A running WMS simulator and the handles tests use besides HTTP. */
export interface WmsSimulator {
  /** Base URL, e.g. `http://127.0.0.1:8070`. */
  url: string;
  port: number;
  options: CompiledWmsOptions;
  faults: FaultController;
  webhooks: WebhookDispatcher;
  orders: OutboundOrders;
  /** Expected receipts (purchases, returns) and their completed receipts. */
  inbound: InboundOrders;
  inventory: Inventory;
  /** Same as `POST /sim/admin/reset`. */
  reset(): void;
  /** Stops timers, cancels pending deliveries, closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts the WMS simulator; resolves once it listens. */
export async function startWmsSimulator(options: WmsSimulatorOptions = {}): Promise<WmsSimulator> {
  const compiled = compileWmsOptions(options);
  const faults = new FaultController(compiled.faults, compiled.random);
  const webhooks = new WebhookDispatcher({
    userAgent: 'odx-sim-wms/0.1',
    defaultSecret: compiled.webhookSecret,
    policy: compiled.delivery,
    faults,
    subscriptions: compiled.webhookUrl === null ? [] : [{ url: compiled.webhookUrl }],
    maxLogSize: compiled.maxDeliveryLog,
  });
  const timers = new TimerSet();
  const inventory = new Inventory(compiled.inventory);
  const orders = new OutboundOrders({ options: compiled, inventory, webhooks, timers });
  const inbound = new InboundOrders({ options: compiled, inventory, webhooks });
  const resetState = (): void => {
    orders.reset();
    inbound.reset();
    inventory.reset();
  };
  const app = createSimulatorApp({
    name: 'wms',
    adminToken: compiled.adminToken,
    faults,
    webhooks,
    api: wmsApi(orders, inbound, inventory),
    admin: wmsAdmin(orders, inbound, inventory, webhooks),
    onReset: resetState,
    maxJsonDepth: compiled.maxJsonDepth,
  });
  const running = await listen(app, compiled.host, compiled.port);
  let closing: Promise<void> | undefined;
  return {
    url: running.url,
    port: running.port,
    options: compiled,
    faults,
    webhooks,
    orders,
    inbound,
    inventory,
    reset() {
      faults.reset();
      webhooks.reset();
      resetState();
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
