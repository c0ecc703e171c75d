/** The stock wizards a client drives over RPC: backorder confirmation and returns. */
import { checkSingleActivePicking, createReturns, defaultReturnPicking, prepareReturnWizard } from '../business/return-picking.js';
import { validatePickings } from '../business/validate-picking.js';
import { defineModel, fields } from '../orm/model-def.js';

export const stockBackorderConfirmationLine = defineModel({
  name: 'stock.backorder.confirmation.line',
  description: 'Backorder Confirmation Line',
  order: 'id',
  fields: {
    backorder_confirmation_id: fields.many2one('stock.backorder.confirmation', 'Immediate Transfer', { ondelete: 'cascade' }),
    picking_id: fields.many2one('stock.picking', 'Transfer'),
    to_backorder: fields.boolean('To Backorder'),
  },
});

/**
 * "Create Backorder?" (stock.backorder.confirmation), opened by the action button_validate
 * returns; created with that action's context (default_pick_ids, button_validate_picking_ids),
 * it validates the pickings again with `skip_backorder`: `process` keeps the rest in backorders
 * (except lines set to_backorder=False), `process_cancel_backorder` drops it.
 */
export const stockBackorderConfirmation = defineModel({
  name: 'stock.backorder.confirmation',
  description: 'Backorder Confirmation',
  order: 'id',
  fields: {
    pick_ids: fields.many2many('stock.picking', 'Pick'),
    show_transfers: fields.boolean('Show Transfers'),
    backorder_confirmation_line_ids: fields.one2many(
      'stock.backorder.confirmation.line',
      'backorder_confirmation_id',
      'Backorder Confirmation Lines',
    ),
  },
  hooks: {
    afterCreate(env, ids) {
      for (const id of ids) {
        if (env.store.referencing('stock.backorder.confirmation.line', 'backorder_confirmation_id', id).length) continue;
        for (const picking of (env.browse('stock.backorder.confirmation', id).pick_ids as number[]) ?? []) {
          env.create('stock.backorder.confirmation.line', { backorder_confirmation_id: id, picking_id: picking, to_backorder: true });
        }
      }
    },
  },
  methods: {
    process: {
      api: 'records',
      params: [],
      run(env, ids) {
        const notToDo = new Set<number>();
        for (const w of env.ensure('stock.backorder.confirmation', ids)) {
          for (const lid of env.store.referencing('stock.backorder.confirmation.line', 'backorder_confirmation_id', w.id)) {
            const line = env.store.get('stock.backorder.confirmation.line', lid)!;
            if (line.to_backorder !== true && typeof line.picking_id === 'number') notToDo.add(line.picking_id);
          }
        }
        const validating = env.context.button_validate_picking_ids;
        if (!Array.isArray(validating) || validating.length === 0) return true;
        const ctx: Record<string, unknown> = { skip_backorder: true };
        if (notToDo.size) ctx.picking_ids_not_to_backorder = [...notToDo];
        return validatePickings(env.withContext(ctx), validating as number[]);
      },
    },
    process_cancel_backorder: {
      api: 'records',
      params: [],
      run(env, ids) {
        const validating = env.context.button_validate_picking_ids;
        if (!Array.isArray(validating) || validating.length === 0) return true;
        const picks = env.ensure('stock.backorder.confirmation', ids).flatMap((w) => (w.pick_ids as number[]) ?? []);
        return validatePickings(env.withContext({ skip_backorder: true, picking_ids_not_to_backorder: picks }), validating as number[]);
      },
    },
  },
});

export const stockReturnPickingLine = defineModel({
  name: 'stock.return.picking.line',
  description: 'Return Picking Line',
  order: 'id',
  recName: 'product_id',
  displayName: (env, rec) => (typeof rec.product_id === 'number' ? env.displayName('product.product', rec.product_id) : ''),
  fields: {
    product_id: fields.many2one('product.product', 'Product', { required: true }),
    quantity: fields.float('Quantity', { required: true }),
    uom_id: fields.many2one('uom.uom', 'Unit of Measure', {
      readonly: true,
      related: 'product_id.uom_id',
      compute: (env, rec) => (env.store.get('product.product', rec.product_id as number)?.uom_id as number) ?? null,
    }),
    wizard_id: fields.many2one('stock.return.picking', 'Wizard', { ondelete: 'cascade' }),
    move_id: fields.many2one('stock.move', 'Move'),
    to_refund: fields.boolean('Update quantities on SO/PO', {
      default: true,
      help: 'Trigger a decrease of the delivered/received quantity in the associated Sale Order/Purchase Order',
    }),
  },
});

/** "Reverse Transfer" (stock.return.picking), created with context active_model='stock.picking', active_id. */
export const stockReturnPicking = defineModel({
  name: 'stock.return.picking',
  description: 'Return Picking',
  order: 'id',
  fields: {
    picking_id: fields.many2one('stock.picking', 'Picking', { default: (env) => defaultReturnPicking(env) }),
    product_return_moves: fields.one2many('stock.return.picking.line', 'wizard_id', 'Moves'),
    move_dest_exists: fields.boolean('Chained Move Exists', { readonly: true }),
    original_location_id: fields.many2one('stock.location', 'Original Location', { readonly: true }),
    parent_location_id: fields.many2one('stock.location', 'Parent Location', { readonly: true }),
    company_id: fields.many2one('res.company', 'Company', {
      readonly: true,
      related: 'picking_id.company_id',
      compute: (env, rec) =>
        typeof rec.picking_id === 'number' ? ((env.store.get('stock.picking', rec.picking_id)?.company_id as number) ?? null) : null,
    }),
    location_id: fields.many2one('stock.location', 'Return Location'),
  },
  hooks: {
    prepareCreate(env, vals) {
      checkSingleActivePicking(env);
      vals.picking_id ??= (env.context.default_picking_id as number | undefined) ?? defaultReturnPicking(env);
      prepareReturnWizard(env, vals);
    },
  },
  methods: {
    create_returns: { api: 'records', params: [], run: (env, ids) => createReturns(env, ids) },
  },
});
