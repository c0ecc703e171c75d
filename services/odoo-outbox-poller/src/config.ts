import { envVar, parseEnv } from '@odx/runtime';
import { z } from 'zod';

const schema = z.object({
  ODOO_URL: envVar.url().default('http://127.0.0.1:8069'),
  ODOO_DB: z.string().min(1).default('odx'),
  ODOO_USERNAME: z.string().min(1).default('admin'),
  /** Password or API key. */
  ODOO_PASSWORD: z.string().min(1).default('admin'),
  ODOO_TIMEOUT_MS: envVar.positiveInt().default(30_000),
  ODX_POLL_MODELS: envVar
    .list()
    .default([
      'sale.order',
      'purchase.order',
      'stock.picking',
      'stock.quant',
      'account.move',
      'product.product',
      'res.partner',
      'product.pricelist.item',
    ]),
  ODX_POLL_BATCH_SIZE: envVar.positiveInt().default(500),
  ODX_POLL_INTERVAL_MS: envVar.positiveInt().default(1_000),
  ODX_POLL_LOOKBACK_SECONDS: envVar.nonNegativeInt().default(30),
  /** Names this poller's cursors, so two pollers on different Odoo databases do not share them. */
  ODX_POLLER_NAME: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes')
    .default('odoo'),
  ODX_WRITEBACK: envVar.bool().default(true),
  ODX_WRITEBACK_GROUP: z.string().min(1).default('odoo-writeback'),
  ODX_WRITEBACK_CONFIRM_ORDERS: envVar.bool().default(false),
  /** Three-way match: allowed over-billing, % of the received quantity. */
  ODX_MATCH_QTY_PERCENT: z.coerce.number().min(0).max(1000).default(0),
  /** Three-way match: allowed over-billing in the line's unit (empty: none). */
  ODX_MATCH_QTY_ABSOLUTE: z.coerce.number().min(0).optional(),
  /** Three-way match: allowed net unit price difference, % of the PO price. */
  ODX_MATCH_PRICE_PERCENT: z.coerce.number().min(0).max(1000).default(0),
  /** Three-way match: allowed net unit price difference in the bill currency. */
  ODX_MATCH_PRICE_ABSOLUTE: z.coerce.number().min(0).default(0.01),
});

export type PollerConfig = ReturnType<typeof loadPollerConfig>;

/** The poller's own settings (ODX_* runtime settings are read by the runtime). */
export function loadPollerConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  const supported = [
    'sale.order',
    'purchase.order',
    'product.product',
    'res.partner',
    'stock.quant',
    'stock.picking',
    'account.move',
    'product.pricelist.item',
  ];
  const unknown = e.ODX_POLL_MODELS.filter((m) => !supported.includes(m));
  if (unknown.length > 0)
    throw new Error(
      `invalid configuration:\n  - ODX_POLL_MODELS: ${unknown.join(', ')} not supported (supported: ${supported.join(', ')})`,
    );
  return {
    odoo: { url: e.ODOO_URL, db: e.ODOO_DB, username: e.ODOO_USERNAME, password: e.ODOO_PASSWORD, timeoutMs: e.ODOO_TIMEOUT_MS },
    models: e.ODX_POLL_MODELS,
    batchSize: e.ODX_POLL_BATCH_SIZE,
    intervalMs: e.ODX_POLL_INTERVAL_MS,
    lookbackSeconds: e.ODX_POLL_LOOKBACK_SECONDS,
    pollerName: e.ODX_POLLER_NAME,
    matchTolerances: {
      quantityPercent: e.ODX_MATCH_QTY_PERCENT,
      quantityAbsolute: e.ODX_MATCH_QTY_ABSOLUTE ?? null,
      pricePercent: e.ODX_MATCH_PRICE_PERCENT,
      priceAbsolute: e.ODX_MATCH_PRICE_ABSOLUTE,
    },
    writeback: { enabled: e.ODX_WRITEBACK, groupId: e.ODX_WRITEBACK_GROUP, confirmReceivedOrders: e.ODX_WRITEBACK_CONFIRM_ORDERS },
  };
}
