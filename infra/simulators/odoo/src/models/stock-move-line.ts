import { syncMoveQuantityFromLines } from '../business/move-lines.js';
import { validationError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';

const fromMove = (field: string) => (env: Env, rec: RawRecord) =>
  typeof rec.move_id === 'number' ? ((env.store.get('stock.move', rec.move_id)?.[field] as string | number | undefined) ?? null) : null;

/**
 * stock.move.line, the detailed operations of a move. The simulator keeps them for moves that
 * receive goods (from a vendor or a customer into an internal location), which is where lots
 * are entered (`lot_name`); deliveries have none (see the README).
 */
export const stockMoveLine = defineModel({
  name: 'stock.move.line',
  description: 'Product Moves (Stock Move Line)',
  order: 'id',
  displayName: (env, rec) =>
    typeof rec.picking_id === 'number' ? env.displayName('stock.picking', rec.picking_id) : `stock.move.line,${rec.id}`,
  fields: {
    move_id: fields.many2one('stock.move', 'Stock Operation', { ondelete: 'cascade' }),
    picking_id: fields.many2one('stock.picking', 'Transfer'),
    product_id: fields.many2one('product.product', 'Product', { required: true, ondelete: 'cascade' }),
    product_uom_id: fields.many2one('uom.uom', 'Unit of Measure', { required: true, default: 1 }),
    quantity: fields.float('Quantity'),
    quantity_product_uom: fields.float('Quantity in Product UoM', { readonly: true, compute: (_env, rec) => Number(rec.quantity ?? 0) }),
    picked: fields.boolean('Picked', { default: false }),
    lot_id: fields.many2one('stock.lot', 'Lot/Serial Number'),
    lot_name: fields.char('Lot/Serial Number Name'),
    location_id: fields.many2one('stock.location', 'From', { required: true }),
    location_dest_id: fields.many2one('stock.location', 'To', { required: true }),
    state: fields.selection(
      [
        ['draft', 'New'],
        ['waiting', 'Waiting Another Move'],
        ['confirmed', 'Waiting Availability'],
        ['partially_available', 'Partially Available'],
        ['assigned', 'Available'],
        ['done', 'Done'],
        ['cancel', 'Cancelled'],
      ],
      'Status',
      { readonly: true, related: 'move_id.state', compute: fromMove('state') },
    ),
    reference: fields.char('Reference', {
      readonly: true,
      compute: (env, rec) => (typeof rec.picking_id === 'number' ? env.displayName('stock.picking', rec.picking_id) : null),
    }),
    tracking: fields.selection(
      [
        ['serial', 'By Unique Serial Number'],
        ['lot', 'By Lots'],
        ['none', 'By Quantity'],
      ],
      'Product with Tracking',
      {
        readonly: true,
        related: 'product_id.tracking',
        compute: (env, rec) => (env.store.get('product.product', rec.product_id as number)?.tracking as string) ?? 'none',
      },
    ),
    origin: fields.char('Source', { readonly: true, related: 'move_id.origin', compute: fromMove('origin') }),
    date: fields.datetime('Date', { required: true, default: (env) => env.nowUs }),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
  },
  hooks: {
    prepareCreate(env, vals) {
      // A line written on a picking without its move lands on the picking's move of that product.
      if (typeof vals.move_id !== 'number' && typeof vals.picking_id === 'number' && typeof vals.product_id === 'number') {
        vals.move_id =
          env.store.referencing('stock.move', 'picking_id', vals.picking_id).find((mid) => {
            const m = env.store.get('stock.move', mid)!;
            return m.product_id === vals.product_id && m.state !== 'done' && m.state !== 'cancel';
          }) ?? false;
      }
      const move = typeof vals.move_id === 'number' ? env.store.get('stock.move', vals.move_id) : undefined;
      if (!move) return;
      vals.picking_id ??= move.picking_id ?? false;
      vals.product_id ??= move.product_id;
      vals.product_uom_id ??= move.product_uom ?? 1;
      vals.location_id ??= move.location_id;
      vals.location_dest_id ??= move.location_dest_id;
    },
    afterCreate(env, ids) {
      syncMoveQuantityFromLines(
        env,
        ids.map((id) => env.browse('stock.move.line', id).move_id),
      );
    },
    afterWrite(env, ids, vals) {
      if ('quantity' in vals || 'move_id' in vals)
        syncMoveQuantityFromLines(
          env,
          ids.map((id) => env.browse('stock.move.line', id).move_id),
        );
    },
    afterUnlink(env, removed) {
      syncMoveQuantityFromLines(
        env,
        removed.map((r) => r.move_id),
      );
    },
  },
});

/** stock.lot: a lot or serial number of a product, created from `lot_name` when a receipt is validated. */
export const stockLot = defineModel({
  name: 'stock.lot',
  description: 'Lot/Serial',
  order: 'name, id',
  fields: {
    name: fields.char('Lot/Serial Number', { required: true }),
    ref: fields.char('Internal Reference'),
    product_id: fields.many2one('product.product', 'Product', { required: true }),
    product_uom_id: fields.many2one('uom.uom', 'Unit of Measure', {
      readonly: true,
      related: 'product_id.uom_id',
      compute: (env, rec) => (env.store.get('product.product', rec.product_id as number)?.uom_id as number) ?? null,
    }),
    company_id: fields.many2one('res.company', 'Company', { required: true, default: 1 }),
    note: fields.html('Description'),
  },
  hooks: {
    prepareCreate(env, vals) {
      checkUniqueLot(env, String(vals.name ?? ''), vals.product_id, null);
    },
    guardWrite(env, ids, vals) {
      if (!('name' in vals || 'product_id' in vals)) return;
      for (const id of ids) {
        const lot = env.browse('stock.lot', id);
        checkUniqueLot(env, String(vals.name ?? lot.name), vals.product_id ?? lot.product_id, id);
      }
    },
  },
});

/** stock.lot._check_unique_lot: one lot name per product and company. */
function checkUniqueLot(env: Env, name: string, productId: unknown, self: number | null): void {
  const dup = env.store
    .referencing('stock.lot', 'product_id', Number(productId))
    .some((id) => id !== self && env.store.get('stock.lot', id)!.name === name);
  if (!dup) return;
  throw validationError(
    `The combination of serial number and product must be unique across a company.\nFollowing combination contains duplicates:\n - Product: ${env.displayName('product.product', Number(productId))}, Serial Number: ${name}`,
  );
}
