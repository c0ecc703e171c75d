import { randomUUID } from 'node:crypto';
import type { EventProducer, Logger } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import { toWmsWarehouse, type WarehouseMapping } from '../mapping/warehouse-codes.js';
import type { WmsClient } from '../wms/wms-client.js';
import { compareStock, mismatchEvent, type StockDelta, type WmsStock } from './compare-stock.js';
import type { LevelStore } from './level-store.js';

export interface ReconcilerOptions {
  client: WmsClient;
  levels: LevelStore;
  producer: EventProducer;
  logger: Logger;
  warehouses: WarehouseMapping;
  company: string;
  topic: string;
  /** Largest |wms − odoo| (ten-thousandths) that is not a mismatch. */
  tolerance: bigint;
  /** Scheduled runs; 0 = only on demand. */
  intervalMs: number;
}

export interface ReconciliationReport {
  runId: string;
  trigger: 'schedule' | 'request';
  startedAt: string;
  finishedAt: string;
  /** ODX warehouse codes compared. */
  warehouses: string[];
  compared: number;
  mismatchCount: number;
  unknownToOdooCount: number;
  /** The first 100 deltas (all were published). */
  mismatches: StockDelta[];
}

/** A run is already going; callers answer 409. */
export class ReconciliationBusyError extends Error {
  constructor(readonly runId: string) {
    super(`reconciliation ${runId} is running`);
    this.name = 'ReconciliationBusyError';
  }
}

/**
 * Batch inventory reconciliation: Odoo's last reported level per SKU and
 * warehouse (InventoryLevelChanged) against the WMS inventory API, one
 * InventoryMismatchDetected per pair beyond the tolerance. One run at a time
 * per process; scheduled runs are named after their time slot, so instances
 * running the same slot publish the same event ids.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: { runId: string; done: Promise<ReconciliationReport> } | null = null;

  constructor(private readonly options: ReconcilerOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      const slot = new Date(Math.floor(Date.now() / this.options.intervalMs) * this.options.intervalMs).toISOString();
      this.run({ trigger: 'schedule', runId: `recon-${slot}` }).catch((err: unknown) => {
        if (!(err instanceof ReconciliationBusyError)) this.options.logger.warn('scheduled reconciliation failed', { err });
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.done.catch(() => undefined);
  }

  /** Runs one reconciliation now; throws ReconciliationBusyError while another runs. */
  run(o: { trigger: 'schedule' | 'request'; runId?: string; warehouses?: string[] }): Promise<ReconciliationReport> {
    if (this.running) return Promise.reject(new ReconciliationBusyError(this.running.runId));
    const runId = o.runId ?? `recon-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`;
    const done = this.doRun(runId, o.trigger, o.warehouses).finally(() => {
      this.running = null;
    });
    this.running = { runId, done };
    return done;
  }

  private async doRun(runId: string, trigger: 'schedule' | 'request', only: string[] | undefined): Promise<ReconciliationReport> {
    const startedAt = new Date();
    const levels = await this.options.levels.latest(only);
    const warehouses = [...new Set([...(only ?? []), ...levels.map((l) => l.warehouseCode)])].sort();
    const wmsCodes = [...new Set(warehouses.map((w) => toWmsWarehouse(this.options.warehouses, w)))];
    const stock: WmsStock[] = [];
    for (const code of wmsCodes) stock.push(...(await this.options.client.inventory(code)));
    const result = compareStock(levels, stock, { tolerance: this.options.tolerance, warehouses: this.options.warehouses });
    const detectedAt = new Date();
    const events = result.mismatches.map((d) =>
      mismatchEvent(d, { runId, company: this.options.company, tolerance: this.options.tolerance, detectedAt }),
    );
    for (let i = 0; i < events.length; i += 500) {
      await this.options.producer.publish(
        events.slice(i, i + 500).map((payload) => ({
          eventType: 'InventoryMismatchDetected',
          key: messageKeyFor('InventoryMismatchDetected', payload),
          payload,
          topic: this.options.topic,
        })),
      );
    }
    const report: ReconciliationReport = {
      runId,
      trigger,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      warehouses,
      compared: result.compared,
      mismatchCount: result.mismatches.length,
      unknownToOdooCount: result.unknownToOdoo.length,
      mismatches: result.mismatches.slice(0, 100),
    };
    this.options.logger.info('inventory reconciliation done', {
      run_id: runId,
      trigger,
      warehouses,
      compared: report.compared,
      mismatches: report.mismatchCount,
      unknown_to_odoo: report.unknownToOdooCount,
    });
    return report;
  }
}
