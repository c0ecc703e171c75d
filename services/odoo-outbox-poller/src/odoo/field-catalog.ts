import type { OdooClient } from './odoo-client.js';

/**
 * Which fields each model has on this Odoo (fields_get, once per model). Real
 * Odoo refuses a read naming a field it lacks ("Invalid field"), and field sets
 * differ between versions, editions and installed modules, so every read asks
 * for the wanted fields that exist.
 */
export class FieldCatalog {
  private readonly cache = new Map<string, Promise<Set<string>>>();

  constructor(private readonly client: OdooClient) {}

  private fieldsOf(model: string): Promise<Set<string>> {
    let fields = this.cache.get(model);
    if (!fields) {
      fields = this.client
        .executeKw<Record<string, unknown>>(model, 'fields_get', [], { attributes: ['type'] })
        .then((f) => new Set(Object.keys(f)));
      fields.catch(() => this.cache.delete(model));
      this.cache.set(model, fields);
    }
    return fields;
  }

  /** The wanted fields this Odoo has, in the order given. */
  async available(model: string, wanted: string[]): Promise<string[]> {
    const have = await this.fieldsOf(model);
    return wanted.filter((f) => have.has(f));
  }
}
