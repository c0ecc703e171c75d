/**
 * Typed shape of Avro schema JSON, as written in `schemas/avro/**\/*.avsc`
 * and as handed to the registry and to avsc.
 */

export const AVRO_PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type AvroPrimitive = (typeof AVRO_PRIMITIVES)[number];

/** A field of a record. */
export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: unknown;
  aliases?: string[];
  order?: 'ascending' | 'descending' | 'ignore';
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  fields: AvroField[];
}

export interface AvroEnumSchema {
  type: 'enum';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  symbols: string[];
  default?: string;
}

export interface AvroFixedSchema {
  type: 'fixed';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  size: number;
  logicalType?: string;
  precision?: number;
  scale?: number;
}

export interface AvroArraySchema {
  type: 'array';
  items: AvroSchema;
}

export interface AvroMapSchema {
  type: 'map';
  values: AvroSchema;
}

/** A primitive written in object form, usually to attach a logical type. */
export interface AvroPrimitiveSchema {
  type: AvroPrimitive;
  logicalType?: string;
  precision?: number;
  scale?: number;
}

export type AvroNamedSchema = AvroRecordSchema | AvroEnumSchema | AvroFixedSchema;

/**
 * Any Avro schema. A bare string is a primitive name or a reference to a
 * named type; an array is a union.
 */
export type AvroSchema = string | AvroNamedSchema | AvroArraySchema | AvroMapSchema | AvroPrimitiveSchema | AvroSchema[];

export function isPrimitiveName(name: string): name is AvroPrimitive {
  return (AVRO_PRIMITIVES as readonly string[]).includes(name);
}

export function isNamedSchema(schema: AvroSchema): schema is AvroNamedSchema {
  return (
    typeof schema === 'object' && !Array.isArray(schema) && (schema.type === 'record' || schema.type === 'enum' || schema.type === 'fixed')
  );
}

/** Full name of a named type, given the namespace it is defined in. */
export function qualify(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name;
  return namespace ? `${namespace}.${name}` : name;
}

/** Splits a full name into namespace and simple name. */
export function splitFullName(fullName: string): { namespace: string | undefined; name: string } {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? { namespace: undefined, name: fullName } : { namespace: fullName.slice(0, dot), name: fullName.slice(dot + 1) };
}
