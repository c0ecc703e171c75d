import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import {
  isNamedSchema,
  isPrimitiveName,
  qualify,
  splitFullName,
  type AvroField,
  type AvroNamedSchema,
  type AvroRecordSchema,
  type AvroSchema,
} from './avro-schema.js';

/** Namespace of shared types and canonical business objects (`schemas/avro/common`). */
export const COMMON_NAMESPACE = 'com.odx.common';
/** Namespace of event records (`schemas/avro/events`). */
export const EVENTS_NAMESPACE = 'com.odx.events';
/** Full name of the record every event carries as its first field, `meta`. */
export const EVENT_META_FULL_NAME = `${COMMON_NAMESPACE}.EventMeta`;

const FOLDER_NAMESPACES: Readonly<Record<string, string>> = {
  common: COMMON_NAMESPACE,
  events: EVENTS_NAMESPACE,
};

/** One `.avsc` file: its path relative to `schemas/avro` (posix separators) and its text. */
export interface SchemaSource {
  path: string;
  text: string;
}

/** A named type as defined in a source file, namespaces made explicit and references fully qualified. */
export interface NamedTypeDefinition {
  fullName: string;
  /** Path of the defining file, relative to `schemas/avro`. */
  file: string;
  schema: AvroNamedSchema;
}

/** A source file breaks a naming or structure rule, or references an unknown type. */
export class SchemaSourceError extends Error {
  override readonly name = 'SchemaSourceError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`schemas/avro/${file}: ${detail}`);
  }
}

/**
 * The set of Avro sources (from the working tree or a git revision), indexed
 * by full name, with self-contained event schemas built on demand and cached.
 */
export class SchemaRepository {
  readonly #types = new Map<string, NamedTypeDefinition>();
  readonly #eventSchemas = new Map<string, AvroRecordSchema>();
  /** Simple names of the event records, sorted. */
  readonly eventTypes: readonly string[];

  private constructor(sources: Iterable<SchemaSource>) {
    const events: string[] = [];
    for (const source of sources) {
      const top = this.#indexFile(source);
      if (top.namespace === EVENTS_NAMESPACE) events.push(top.name);
    }
    for (const def of this.#types.values()) this.#checkReferences(def.schema, def.file, def.fullName);
    for (const name of events) this.#checkEventShape(name);
    this.eventTypes = events.sort();
  }

  /** Builds a repository from in-memory sources (e.g. read with `git show`). */
  static fromSources(sources: Iterable<SchemaSource>): SchemaRepository {
    return new SchemaRepository(sources);
  }

  /** Reads every `.avsc` file under `avroDir`. */
  static fromDirectory(avroDir: string): SchemaRepository {
    const files = readdirSync(avroDir, { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.avsc'))
      .sort();
    return new SchemaRepository(files.map((p) => ({ path: p.split(sep).join('/'), text: readFileSync(join(avroDir, p), 'utf8') })));
  }

  /** Every named type, in a stable order (namespace, then name). */
  namedTypes(): NamedTypeDefinition[] {
    return [...this.#types.values()].sort((a, b) => compareFullNames(a.fullName, b.fullName));
  }

  /** The definition of a named type by full name, or undefined. */
  namedType(fullName: string): NamedTypeDefinition | undefined {
    return this.#types.get(fullName);
  }

  hasEventType(eventType: string): boolean {
    return this.eventTypes.includes(eventType);
  }

  /**
   * The event's record schema with every referenced named type inlined at its
   * first use (later uses by full name), so it stands alone in a registry.
   */
  eventSchema(eventType: string): AvroRecordSchema {
    const cached = this.#eventSchemas.get(eventType);
    if (cached) return cached;
    if (!this.hasEventType(eventType)) {
      throw new Error(`unknown event type "${eventType}"; known: ${this.eventTypes.join(', ') || '(none)'}`);
    }
    const fullName = `${EVENTS_NAMESPACE}.${eventType}`;
    const expanded = this.#expand(fullName, new Set());
    if (typeof expanded === 'string' || Array.isArray(expanded) || expanded.type !== 'record') {
      throw new Error(`${fullName} is not a record`);
    }
    deepFreeze(expanded);
    this.#eventSchemas.set(eventType, expanded);
    return expanded;
  }

  #indexFile(source: SchemaSource): { namespace: string; name: string } {
    const match = /^([a-z]+)\/([A-Z][A-Za-z0-9]*)\.avsc$/.exec(source.path);
    const folder = match?.[1];
    const fileName = match?.[2];
    const namespace = folder ? FOLDER_NAMESPACES[folder] : undefined;
    if (!folder || !fileName || !namespace) {
      throw new SchemaSourceError(source.path, `schema files must be common/<Name>.avsc or events/<Name>.avsc (Name in PascalCase)`);
    }
    let json: unknown;
    try {
      json = JSON.parse(source.text);
    } catch (err) {
      throw new SchemaSourceError(source.path, `invalid JSON: ${(err as Error).message}`);
    }
    const schema = this.#canonicalize(json, undefined, source.path, '$');
    if (typeof schema !== 'object' || Array.isArray(schema) || !isNamedSchema(schema)) {
      throw new SchemaSourceError(source.path, 'the top level must be a named type (record, enum or fixed)');
    }
    if (schema.namespace !== namespace || schema.name !== fileName) {
      throw new SchemaSourceError(
        source.path,
        `defines ${qualify(schema.name, schema.namespace)}; a file in ${folder}/ named ${fileName}.avsc must define ${namespace}.${fileName}`,
      );
    }
    return { namespace, name: fileName };
  }

  /**
   * Validates the JSON shape, makes every named definition carry its
   * namespace explicitly, qualifies every reference, and registers the named
   * definitions it finds.
   */
  #canonicalize(node: unknown, namespace: string | undefined, file: string, path: string): AvroSchema {
    const fail = (detail: string): never => {
      throw new SchemaSourceError(file, `${path}: ${detail}`);
    };
    if (typeof node === 'string') {
      return isPrimitiveName(node) ? node : qualify(node, namespace);
    }
    if (Array.isArray(node)) {
      if (node.length === 0) fail('a union needs at least one branch');
      return node.map((branch, i) => this.#canonicalize(branch, namespace, file, `${path}[${i}]`));
    }
    if (typeof node !== 'object' || node === null) return fail(`expected a schema, got ${JSON.stringify(node)}`);
    const obj = node as Record<string, unknown>;
    const type = obj['type'];
    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed': {
        const rawName = obj['name'];
        if (typeof rawName !== 'string' || rawName === '') return fail(`a ${type} needs a "name"`);
        const rawNamespace = obj['namespace'];
        if (rawNamespace !== undefined && typeof rawNamespace !== 'string') return fail('"namespace" must be a string');
        const fullName = qualify(rawName, rawNamespace ?? namespace);
        const { namespace: ns, name } = splitFullName(fullName);
        const common = {
          name,
          ...(ns === undefined ? {} : { namespace: ns }),
          ...(typeof obj['doc'] === 'string' ? { doc: obj['doc'] } : {}),
          ...(Array.isArray(obj['aliases']) ? { aliases: obj['aliases'].map(String) } : {}),
        };
        let schema: AvroNamedSchema;
        if (type === 'enum') {
          const symbols = obj['symbols'];
          if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string')) {
            return fail(`enum ${fullName} needs "symbols" (strings)`);
          }
          const def = obj['default'];
          if (def === undefined) {
            return fail(`enum ${fullName} needs a "default" symbol so new symbols stay BACKWARD compatible`);
          }
          if (typeof def !== 'string' || !symbols.includes(def)) {
            return fail(`enum ${fullName} default must be one of its symbols`);
          }
          schema = { type: 'enum', ...common, symbols: symbols as string[], default: def };
        } else if (type === 'fixed') {
          const size = obj['size'];
          if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) return fail(`fixed ${fullName} needs a positive "size"`);
          schema = { ...(obj as object), type: 'fixed', ...common, size } as AvroNamedSchema;
        } else {
          const rawFields = obj['fields'];
          if (!Array.isArray(rawFields)) return fail(`record ${fullName} needs "fields"`);
          // Register before walking the fields so recursive references resolve.
          schema = { type: 'record', ...common, fields: [] };
          this.#register(fullName, file, schema);
          const seen = new Set<string>();
          schema.fields = rawFields.map((raw, i): AvroField => {
            if (typeof raw !== 'object' || raw === null) return fail(`${fullName}.fields[${i}] must be an object`);
            const f = raw as Record<string, unknown>;
            const fieldName = f['name'];
            if (typeof fieldName !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(fieldName)) {
              return fail(`${fullName}.fields[${i}] needs a valid "name"`);
            }
            if (seen.has(fieldName)) return fail(`${fullName} has two fields named "${fieldName}"`);
            seen.add(fieldName);
            if (!('type' in f)) return fail(`${fullName}.${fieldName} needs a "type"`);
            const field: AvroField = {
              name: fieldName,
              type: this.#canonicalize(f['type'], ns, file, `${path}.${fieldName}`),
            };
            if (typeof f['doc'] === 'string') field.doc = f['doc'];
            if ('default' in f) field.default = f['default'];
            if (Array.isArray(f['aliases'])) field.aliases = f['aliases'].map(String);
            if (f['order'] === 'ascending' || f['order'] === 'descending' || f['order'] === 'ignore') field.order = f['order'];
            checkNullableDefault(field, fullName, fail);
            return field;
          });
          return schema;
        }
        this.#register(fullName, file, schema);
        return schema;
      }
      case 'array':
        if (!('items' in obj)) return fail('an array needs "items"');
        return { type: 'array', items: this.#canonicalize(obj['items'], namespace, file, `${path}[]`) };
      case 'map':
        if (!('values' in obj)) return fail('a map needs "values"');
        return { type: 'map', values: this.#canonicalize(obj['values'], namespace, file, `${path}{}`) };
      default:
        if (typeof type === 'string' && isPrimitiveName(type)) {
          // Primitive in object form, possibly with a logical type: keep its attributes.
          return { ...(obj as object), type } as AvroSchema;
        }
        if (typeof type === 'string' || Array.isArray(type) || (typeof type === 'object' && type !== null)) {
          // `{"type": "com.x.Y"}` or `{"type": {...}}`: a wrapped schema.
          return this.#canonicalize(type, namespace, file, path);
        }
        return fail(`unknown schema type ${JSON.stringify(type)}`);
    }
  }

  #register(fullName: string, file: string, schema: AvroNamedSchema): void {
    const existing = this.#types.get(fullName);
    if (existing) {
      throw new SchemaSourceError(file, `${fullName} is already defined in schemas/avro/${existing.file}`);
    }
    const simple = splitFullName(fullName).name;
    for (const other of this.#types.values()) {
      if (splitFullName(other.fullName).name === simple) {
        throw new SchemaSourceError(
          file,
          `${fullName} has the same simple name as ${other.fullName} (schemas/avro/${other.file}); simple names must be unique because generated TypeScript types use them`,
        );
      }
    }
    this.#types.set(fullName, { fullName, file, schema });
  }

  #checkReferences(schema: AvroSchema, file: string, where: string): void {
    if (typeof schema === 'string') {
      if (!isPrimitiveName(schema) && !this.#types.has(schema)) {
        throw new SchemaSourceError(file, `${where}: unknown type "${schema}" (reference named types by full name)`);
      }
      return;
    }
    if (Array.isArray(schema)) {
      schema.forEach((s) => this.#checkReferences(s, file, where));
      return;
    }
    switch (schema.type) {
      case 'record':
        for (const f of schema.fields) this.#checkReferences(f.type, file, `${qualify(schema.name, schema.namespace)}.${f.name}`);
        return;
      case 'array':
        this.#checkReferences(schema.items, file, where);
        return;
      case 'map':
        this.#checkReferences(schema.values, file, where);
        return;
      default:
        return;
    }
  }

  #checkEventShape(eventType: string): void {
    const def = this.#types.get(`${EVENTS_NAMESPACE}.${eventType}`);
    if (!def) return;
    const first = def.schema.type === 'record' ? def.schema.fields[0] : undefined;
    if (!first || first.name !== 'meta' || first.type !== EVENT_META_FULL_NAME) {
      throw new SchemaSourceError(def.file, `an event record's first field must be {"name": "meta", "type": "${EVENT_META_FULL_NAME}"}`);
    }
  }

  /** Inlines named types at first use; `defined` tracks what the output already defines. */
  #expand(schema: AvroSchema, defined: Set<string>): AvroSchema {
    if (typeof schema === 'string') {
      if (isPrimitiveName(schema) || defined.has(schema)) return schema;
      const def = this.#types.get(schema);
      if (!def) throw new Error(`unknown type ${schema}`);
      return this.#expand(def.schema, defined);
    }
    if (Array.isArray(schema)) return schema.map((s) => this.#expand(s, defined));
    switch (schema.type) {
      case 'record': {
        const fullName = qualify(schema.name, schema.namespace);
        if (defined.has(fullName)) return fullName;
        defined.add(fullName);
        return { ...schema, fields: schema.fields.map((f) => ({ ...f, type: this.#expand(f.type, defined) })) };
      }
      case 'enum':
      case 'fixed': {
        const fullName = qualify(schema.name, schema.namespace);
        if (defined.has(fullName)) return fullName;
        defined.add(fullName);
        return { ...schema };
      }
      case 'array':
        return { type: 'array', items: this.#expand(schema.items, defined) };
      case 'map':
        return { type: 'map', values: this.#expand(schema.values, defined) };
      default:
        return { ...schema };
    }
  }
}

/** Optional fields must be `["null", T]` with `"default": null`, so readers of older data get null. */
function checkNullableDefault(field: AvroField, recordName: string, fail: (detail: string) => never): void {
  if (!Array.isArray(field.type) || !field.type.includes('null')) return;
  if (field.type[0] !== 'null' || !('default' in field) || field.default !== null) {
    fail(`${recordName}.${field.name}: a nullable field must be ["null", T] with "default": null`);
  }
}

function compareFullNames(a: string, b: string): number {
  const order = (n: string): number => (n.startsWith(`${COMMON_NAMESPACE}.`) ? 0 : n.startsWith(`${EVENTS_NAMESPACE}.`) ? 1 : 2);
  return order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
