import { userError } from '../errors.js';
import { applyInventory } from '../business/apply-inventory.js';
import { assignPicking, cancelPicking } from '../business/stock-reservation.js';
import { syncLinesToMoveQuantity } from '../business/move-lines.js';
import { validatePickings } from '../business/validate-picking.js';
import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';
import { ORM_METHODS } from '../orm/methods.js';

const MOVE_STATES = [
  ['draft', 'New'],
  ['waiting', 'Waiting Another Move'],
  ['confirmed', 'Waiting Availability'],
  ['partially_available', 'Partially Available'],
  ['assigned', 'Available'],
  ['done', 'Done'],
  ['cancel', 'Cancelled'],
] as const;

const related = (model: string, via: string, field: string) => (env: Env, rec: RawRecord) => {
  const id = rec[via];
  return typeof id === 'number' ? ((env.store.get(model, id)?.[field] as string | number | undefined) ?? null) : null;
};

export const stockWarehouse = defineModel({
  name: 'stock.warehouse',
  description: 'Warehouse',
  order: 'sequence,id',
  fields: {
    name: fields.char('Warehouse', { required: true }),
    code: fields.char('Short Name', { required: true }),
    sequence: fields.integer('Sequence', { default: 10 }),
    lot_stock_id: fields.many2one('stock.location', 'Location Stock'),
    view_location_id: fields.many2one('stock.location', 'View Location'),
    in_type_id: fields.many2one('stock.picking.type', 'In Type'),
    out_type_id: fields.many2one('stock.picking.type', 'Out Type'),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
    active: fields.boolean('Active', { default: true }),
  },
});

export const stockLocation = defineModel({
  name: 'stock.location',
  description: 'Inventory Locations',
  order: 'complete_name, id',
  recName: 'complete_name',
  fields: {
    name: fields.char('Location Name', { required: true }),
    complete_name: fields.char('Full Location Name', { readonly: true }),
    location_id: fields.many2one('stock.location', 'Parent Location', { ondelete: 'cascade' }),
    child_ids: fields.one2many('stock.location', 'location_id', 'Contains'),
    usage: fields.selection(
      [
        ['supplier', 'Vendor Location'],
        ['view', 'View'],
        ['internal', 'Internal Location'],
        ['customer', 'Customer Location'],
        ['inventory', 'Inventory Loss'],
        ['production', 'Production'],
        ['transit', 'Transit Location'],
      ],
      'Location Type',
      { default: 'internal', required: true },
    ),
    warehouse_id: fields.many2one('stock.warehouse', 'Warehouse', { readonly: true }),
    active: fields.boolean('Active', { default: true }),
  },
  parentName: 'location_id',
  hooks: {
    prepareCreate(env, vals) {
      const parent = typeof vals.location_id === 'number' ? env.store.get('stock.location', vals.location_id) : undefined;
      vals.complete_name =
        parent && parent.usage !== 'view'
          ? `${String(parent.complete_name)}/${String(vals.name)}`
          : parent
            ? `${String(parent.name)}/${String(vals.name)}`
            : vals.name;
    },
  },
});

export const stockPickingType = defineModel({
  name: 'stock.picking.type',
  description: 'Picking Type',
  order: 'sequence, id',
  displayName: (env, rec) =>
    typeof rec.warehouse_id === 'number'
      ? `${env.displayName('stock.warehouse', rec.warehouse_id)}: ${String(rec.name)}`
      : String(rec.name),
  fields: {
    name: fields.char('Operation Type', { required: true }),
    code: fields.selection(
      [
        ['incoming', 'Receipt'],
        ['outgoing', 'Delivery'],
        ['internal', 'Internal Transfer'],
      ],
      'Type of Operation',
      { required: true },
    ),
    sequence: fields.integer('Sequence', { default: 1 }),
    sequence_code: fields.char('Sequence Prefix', { required: true }),
    warehouse_id: fields.many2one('stock.warehouse', 'Warehouse', { ondelete: 'cascade' }),
    default_location_src_id: fields.many2one('stock.location', 'Default Source Location'),
    default_location_dest_id: fields.many2one('stock.location', 'Default Destination Location'),
    return_picking_type_id: fields.many2one('stock.picking.type', 'Operation Type for Returns'),
    create_backorder: fields.selection(
      [
        ['ask', 'Ask'],
        ['always', 'Always'],
        ['never', 'Never'],
      ],
      'Create Backorder',
      { required: true, default: 'ask' },
    ),
    use_create_lots: fields.boolean('Create New Lots/Serial Numbers', { default: true }),
    use_existing_lots: fields.boolean('Use Existing Lots/Serial Numbers', { default: true }),
    active: fields.boolean('Active', { default: true }),
  },
});

/** stock.quant: only inventory fields are writable over RPC, like Odoo's inventory mode. */
export const stockQuant = defineModel({
  name: 'stock.quant',
  description: 'Quants',
  order: 'id',
  displayName: (env, rec) =>
    `${env.displayName('stock.location', rec.location_id as number)} - ${env.displayName('product.product', rec.product_id as number)}`,
  fields: {
    product_id: fields.many2one('product.product', 'Product', { required: true, ondelete: 'restrict', readonly: true }),
    location_id: fields.many2one('stock.location', 'Location', { required: true, ondelete: 'restrict' }),
    warehouse_id: fields.many2one('stock.warehouse', 'Warehouse', {
      readonly: true,
      related: 'location_id.warehouse_id',
      compute: related('stock.location', 'location_id', 'warehouse_id'),
    }),
    quantity: fields.float('Quantity', { readonly: true }),
    reserved_quantity: fields.float('Reserved Quantity', { readonly: true }),
    available_quantity: fields.float('Available Quantity', {
      readonly: true,
      compute: (_env, rec) => Number(rec.quantity ?? 0) - Number(rec.reserved_quantity ?? 0),
    }),
    inventory_quantity: fields.float('Counted Quantity'),
    inventory_diff_quantity: fields.float('Difference', {
      readonly: true,
      compute: (_env, rec) => (rec.inventory_quantity_set === true ? Number(rec.inventory_quantity ?? 0) - Number(rec.quantity ?? 0) : 0),
    }),
    inventory_quantity_set: fields.boolean('Inventory Quantity Set', { default: false }),
    inventory_date: fields.date('Scheduled Date'),
    product_uom_id: fields.many2one('uom.uom', 'Unit of Measure', {
      readonly: true,
      compute: related('product.product', 'product_id', 'uom_id'),
    }),
  },
  hooks: {
    guardWrite(_env, _ids, vals) {
      const allowed = new Set(['inventory_quantity', 'inventory_quantity_set', 'inventory_date']);
      if (Object.keys(vals).some((k) => !allowed.has(k))) throw userError("Quant's editing is restricted, you can't do this operation.");
    },
    afterWrite(env, ids, vals) {
      if ('inventory_quantity' in vals && !('inventory_quantity_set' in vals)) {
        for (const id of ids) env.setStored('stock.quant', id, { inventory_quantity_set: true });
      }
    },
  },
  methods: {
    /** Inventory-mode create: counts an existing (product, location) quant instead of duplicating it. */
    create: {
      api: 'model',
      params: [{ name: 'vals_list' }],
      run(env, _ids, kw, call) {
        const single = !Array.isArray(kw.vals_list);
        const list = (single ? [kw.vals_list] : kw.vals_list) as Record<string, unknown>[];
        const ids = list.map((vals) => {
          if ('quantity' in vals || 'reserved_quantity' in vals)
            throw userError("Quant's editing is restricted, you can't do this operation.");
          const existing = env.search(
            'stock.quant',
            [
              ['product_id', '=', vals.product_id ?? false],
              ['location_id', '=', vals.location_id ?? false],
            ],
            { limit: 1 },
          );
          if (existing[0] !== undefined && 'inventory_quantity' in vals) {
            env.write('stock.quant', [existing[0]], { inventory_quantity: vals.inventory_quantity, inventory_quantity_set: true });
            return existing[0];
          }
          return env.create('stock.quant', { ...vals, inventory_quantity_set: 'inventory_quantity' in vals });
        });
        return single && call.api === 'rpc' ? ids[0] : ids;
      },
    },
    action_apply_inventory: {
      api: 'records',
      params: [],
      run(env, ids) {
        applyInventory(env, ids);
        return null;
      },
    },
    action_set_inventory_quantity_to_zero: {
      api: 'records',
      params: [],
      run(env, ids) {
        for (const id of ids) env.write('stock.quant', [id], { inventory_quantity: 0, inventory_quantity_set: false });
        return null;
      },
    },
  },
});

export const stockPicking = defineModel({
  name: 'stock.picking',
  description: 'Transfer',
  order: 'priority desc, scheduled_date asc, id desc',
  fields: {
    name: fields.char('Reference', { default: '/', readonly: true }),
    origin: fields.char('Source Document'),
    note: fields.html('Notes'),
    backorder_id: fields.many2one('stock.picking', 'Back Order of', { readonly: true }),
    backorder_ids: fields.one2many('stock.picking', 'backorder_id', 'Back Orders'),
    return_id: fields.many2one('stock.picking', 'Return of', { readonly: true }),
    return_ids: fields.one2many('stock.picking', 'return_id', 'Returns'),
    return_count: fields.integer('# Returns', {
      readonly: true,
      compute: (env, rec) => env.store.referencing('stock.picking', 'return_id', rec.id).length,
    }),
    priority: fields.selection(
      [
        ['0', 'Normal'],
        ['1', 'Urgent'],
      ],
      'Priority',
      { default: '0' },
    ),
    picking_type_id: fields.many2one('stock.picking.type', 'Operation Type', { required: true }),
    picking_type_code: fields.selection(
      [
        ['incoming', 'Receipt'],
        ['outgoing', 'Delivery'],
        ['internal', 'Internal Transfer'],
      ],
      'Type of Operation',
      {
        readonly: true,
        related: 'picking_type_id.code',
        compute: related('stock.picking.type', 'picking_type_id', 'code'),
      },
    ),
    partner_id: fields.many2one('res.partner', 'Contact'),
    sale_id: fields.many2one('sale.order', 'Sales Order'),
    purchase_id: fields.many2one('purchase.order', 'Purchase Orders', {
      readonly: true,
      related: 'move_ids.purchase_line_id.order_id',
      compute: (env, rec) => {
        for (const mid of env.store.referencing('stock.move', 'picking_id', rec.id)) {
          const line = env.store.get('stock.move', mid)!.purchase_line_id;
          if (typeof line === 'number') return (env.store.get('purchase.order.line', line)?.order_id as number) ?? null;
        }
        return null;
      },
    }),
    state: fields.selection(
      [
        ['draft', 'Draft'],
        ['waiting', 'Waiting Another Operation'],
        ['confirmed', 'Waiting'],
        ['assigned', 'Ready'],
        ['done', 'Done'],
        ['cancel', 'Cancelled'],
      ],
      'Status',
      { default: 'draft', readonly: true },
    ),
    move_ids: fields.one2many('stock.move', 'picking_id', 'Stock Moves'),
    move_ids_without_package: fields.one2many('stock.move', 'picking_id', 'Stock moves not in package'),
    move_line_ids: fields.one2many('stock.move.line', 'picking_id', 'Operations'),
    scheduled_date: fields.datetime('Scheduled Date', { default: (env) => env.nowUs }),
    date_deadline: fields.datetime('Deadline'),
    date_done: fields.datetime('Date of Transfer', { readonly: true }),
    location_id: fields.many2one('stock.location', 'Source Location', { required: true }),
    location_dest_id: fields.many2one('stock.location', 'Destination Location', { required: true }),
    carrier_id: fields.many2one('delivery.carrier', 'Carrier'),
    carrier_tracking_ref: fields.char('Tracking Reference'),
    weight: fields.float('Weight', {
      readonly: true,
      compute: (env, rec) =>
        env.store.referencing('stock.move', 'picking_id', rec.id).reduce((sum, mid) => {
          const m = env.store.get('stock.move', mid)!;
          const p = env.store.get('product.product', m.product_id as number);
          return sum + Number(m.product_uom_qty ?? 0) * Number(p?.weight ?? 0);
        }, 0),
    }),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (vals.name && vals.name !== '/') return;
      const type = typeof vals.picking_type_id === 'number' ? env.store.get('stock.picking.type', vals.picking_type_id) : undefined;
      if (!type) return;
      const wh = typeof type.warehouse_id === 'number' ? env.store.get('stock.warehouse', type.warehouse_id) : undefined;
      const prefix = `${wh ? `${String(wh.code)}/` : ''}${String(type.sequence_code)}/`;
      vals.name = `${prefix}${String(env.nextSequence(`stock.picking.type.${type.id}`)).padStart(5, '0')}`;
    },
  },
  methods: {
    button_validate: { api: 'records', params: [], run: (env, ids) => validatePickings(env, ids) },
    action_confirm: {
      api: 'records',
      params: [],
      run(env, ids) {
        // reservation at confirmation, the default reservation method
        for (const p of env.ensure('stock.picking', ids)) if (p.state === 'draft') assignPicking(env, p.id);
        return true;
      },
    },
    action_assign: {
      api: 'records',
      params: [],
      run(env, ids) {
        for (const id of ids) assignPicking(env, id);
        return true;
      },
    },
    action_cancel: {
      api: 'records',
      params: [],
      run(env, ids) {
        for (const id of ids) cancelPicking(env, id);
        return true;
      },
    },
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        for (const p of env.ensure('stock.picking', ids)) {
          if (p.state === 'done') throw userError('You cannot delete a done transfer.');
        }
        return ORM_METHODS.unlink!.run(env, ids, kw, call);
      },
    },
  },
});

export const stockMove = defineModel({
  name: 'stock.move',
  description: 'Stock Move',
  order: 'sequence, id',
  fields: {
    name: fields.char('Description', { required: true }),
    sequence: fields.integer('Sequence', { default: 10 }),
    reference: fields.char('Reference', {
      readonly: true,
      compute: (env, rec) => (typeof rec.picking_id === 'number' ? env.displayName('stock.picking', rec.picking_id) : (rec.name as string)),
    }),
    origin: fields.char('Source Document'),
    picking_id: fields.many2one('stock.picking', 'Transfer', { ondelete: 'cascade' }),
    picking_type_id: fields.many2one('stock.picking.type', 'Operation Type'),
    product_id: fields.many2one('product.product', 'Product', { required: true }),
    product_uom_qty: fields.float('Demand', { default: 0 }),
    quantity: fields.float('Quantity', { help: 'Reserved or done quantity (Odoo 17+; Odoo 16 named the done part quantity_done).' }),
    reserved_availability: fields.float('Quantity Reserved', {
      readonly: true,
      help: 'Simulator bookkeeping of the reserved part of `quantity`.',
    }),
    picked: fields.boolean('Picked', { default: false }),
    product_uom: fields.many2one('uom.uom', 'UoM', { default: 1 }),
    state: fields.selection(MOVE_STATES, 'Status', { default: 'draft', readonly: true }),
    location_id: fields.many2one('stock.location', 'Source Location', { required: true }),
    location_dest_id: fields.many2one('stock.location', 'Destination Location', { required: true }),
    sale_line_id: fields.many2one('sale.order.line', 'Sale Line'),
    purchase_line_id: fields.many2one('purchase.order.line', 'Purchase Order Line', { readonly: true }),
    origin_returned_move_id: fields.many2one('stock.move', 'Origin return move', { readonly: true }),
    returned_move_ids: fields.one2many('stock.move', 'origin_returned_move_id', 'All returned moves'),
    to_refund: fields.boolean('Update quantities on SO/PO', {
      help: 'Trigger a decrease of the delivered/received quantity in the associated Sale Order/Purchase Order',
    }),
    move_line_ids: fields.one2many('stock.move.line', 'move_id', 'Move Lines'),
    lot_ids: fields.many2many('stock.lot', 'Serial Numbers', {
      readonly: true,
      compute: (env, rec) => [
        ...new Set(
          env.store
            .referencing('stock.move.line', 'move_id', rec.id)
            .map((id) => env.store.get('stock.move.line', id)!.lot_id)
            .filter((x): x is number => typeof x === 'number'),
        ),
      ],
    }),
    price_unit: fields.float('Unit Price'),
    date_deadline: fields.datetime('Deadline', { readonly: true }),
    partner_id: fields.many2one('res.partner', 'Destination Address'),
    is_inventory: fields.boolean('Inventory', { default: false }),
    date: fields.datetime('Date Scheduled', { default: (env) => env.nowUs }),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
  },
  hooks: {
    afterWrite(env, ids, vals) {
      if ('quantity' in vals) for (const id of ids) syncLinesToMoveQuantity(env, id);
    },
  },
});

export const deliveryCarrier = defineModel({
  name: 'delivery.carrier',
  description: 'Shipping Methods',
  order: 'sequence, id',
  fields: {
    name: fields.char('Delivery Method', { required: true }),
    sequence: fields.integer('Sequence', { default: 10 }),
    delivery_type: fields.selection(
      [
        ['base_on_rule', 'Based on Rules'],
        ['fixed', 'Fixed Price'],
      ],
      'Provider',
      { default: 'fixed', required: true },
    ),
    product_id: fields.many2one('product.product', 'Delivery Product', { required: true, ondelete: 'restrict' }),
    fixed_price: fields.float('Fixed Price'),
    tracking_url: fields.char('Tracking Link'),
    active: fields.boolean('Active', { default: true }),
  },
});
