/** ODX (Odoo stock.warehouse) codes <-> WMS warehouse codes. */
export interface WarehouseMapping {
  /** ODX code -> WMS code; unmapped codes pass through unchanged. */
  map: Record<string, string>;
  /** WMS warehouse for orders that name none. */
  defaultWarehouse: string;
}

export function toWmsWarehouse(m: WarehouseMapping, odxCode: string | null): string {
  if (odxCode === null || odxCode === '') return m.defaultWarehouse;
  return m.map[odxCode] ?? odxCode;
}

/** The ODX code of a WMS warehouse: the first mapping entry naming it, else the WMS code itself. */
export function toOdxWarehouse(m: WarehouseMapping, wmsCode: string): string {
  for (const [odx, wms] of Object.entries(m.map)) if (wms === wmsCode) return odx;
  return wmsCode;
}
