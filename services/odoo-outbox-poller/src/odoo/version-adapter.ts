/**
 * Field names that differ between Odoo 16, 17, 18 and 19, in one place. Mapping
 * code asks the adapter instead of testing versions itself.
 */
export interface OdooVersionAdapter {
  major: number;
  /** stock.move quantity done: `quantity_done` in 16, `quantity` from 17. */
  moveDoneQuantityField: 'quantity_done' | 'quantity';
  /** sale.order.line taxes: `tax_id` up to 18, `tax_ids` from 19. */
  saleLineTaxField: 'tax_id' | 'tax_ids';
  /** Product fields that say whether stock is tracked. */
  productStorableFields: string[];
  isStorable(product: Record<string, unknown>): boolean;
}

export function versionAdapter(major: number): OdooVersionAdapter {
  if (major < 16) throw new Error(`Odoo ${major} is not supported (16 to 19 are)`);
  return {
    major,
    moveDoneQuantityField: major >= 17 ? 'quantity' : 'quantity_done',
    saleLineTaxField: major >= 19 ? 'tax_ids' : 'tax_id',
    // 16/17: detailed_type/type 'product'; 18+: is_storable on type 'consu'.
    productStorableFields: major >= 18 ? ['type', 'is_storable'] : ['type'],
    isStorable: (p) => (major >= 18 ? p['is_storable'] === true : p['type'] === 'product'),
  };
}
