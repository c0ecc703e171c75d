import avro from 'avsc';
import { avroBoundsChecker } from './avro-bounds.js';
import {
  avroLogicalTypes,
  fullName as eventFullName,
  loadEventSchema,
  RegistryClient,
  RegistryError,
  type RegistrySchema,
} from '@odx/schemas';
import { errorMessage, PermanentError, PoisonMessageError, TransientError } from '../resilience/errors.js';

/** A plain Avro record schema (JSON form). */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  fields: unknown[];
  [key: string]: unknown;
}

/** Where a serde finds the schema it writes (and reads as) for an event type. */
export interface SchemaSource {
  schemaFor(eventType: string): AvroRecordSchema;
  fullNameOf(eventType: string): string;
}

/** The canonical schemas from @odx/schemas. */
export const canonicalSchemas: SchemaSource = {
  schemaFor: (eventType) => loadEventSchema(eventType) as AvroRecordSchema,
  fullNameOf: (eventType) => eventFullName(eventType),
};

export interface DecodedEvent<T = unknown> {
  schemaId: number;
  /** Full record name of the writer schema, e.g. com.odx.events.OrderConfirmed. */
  fullName: string;
  /** Simple record name, e.g. OrderConfirmed. */
  eventType: string;
  payload: T;
}

export interface EventSerdeOptions {
  registryUrl: string;
  auth?: { username: string; password: string } | undefined;
  schemas?: SchemaSource;
}

const CONFLUENT_MAGIC_BYTE = 0;

function simpleName(full: string): string {
  const dot = full.lastIndexOf('.');
  return dot === -1 ? full : full.slice(dot + 1);
}

/**
 * Avro serde over a Confluent-compatible registry: Confluent wire format
 * (magic byte 0, 4-byte schema id, Avro body), TopicRecordNameStrategy subjects
 * (`<topic>-<record full name>`), schema ids cached per subject.
 */
export class EventSerde {
  readonly registry: RegistryClient;
  private readonly schemas: SchemaSource;
  private readonly ids = new Map<string, Promise<number>>();
  private readonly writerTypes = new Map<string, avro.Type>();
  /** schema id -> how to read it: writer type, plus reader type and resolver when a local schema applies. */
  private readonly readers = new Map<number, Promise<{ fullName: string; read: (body: Buffer) => unknown }>>();

  constructor(options: EventSerdeOptions) {
    this.registry = new RegistryClient({ url: options.registryUrl, auth: options.auth });
    this.schemas = options.schemas ?? canonicalSchemas;
  }

  /** Registers `schema` under `subject` (the existing id when already there). */
  private async register(subject: string, schema: AvroRecordSchema): Promise<number> {
    try {
      return await this.registry.register(subject, schema);
    } catch (err) {
      if (err instanceof RegistryError && err.kind !== 'unavailable') {
        throw new PermanentError(`schema registry refused ${err.message}`, { errorClass: 'serde.schema-rejected', cause: err });
      }
      throw new TransientError(`schema registry unavailable, cannot register ${errorMessage(err)}`, {
        errorClass: 'serde.registry-unavailable',
        cause: err,
      });
    }
  }

  /** Full record name written for `eventType`, e.g. com.odx.events.OrderConfirmed. */
  fullNameOf(eventType: string): string {
    return this.schemas.fullNameOf(eventType);
  }

  static subject(topic: string, recordFullName: string): string {
    return `${topic}-${recordFullName}`;
  }

  /** Registers (once per process) the schema of `eventType` under its subject for `topic`. */
  schemaIdFor(topic: string, eventType: string): Promise<number> {
    const subject = EventSerde.subject(topic, this.schemas.fullNameOf(eventType));
    let id = this.ids.get(subject);
    if (!id) {
      id = this.register(subject, this.schemas.schemaFor(eventType)).catch((err: unknown) => {
        this.ids.delete(subject);
        throw err;
      });
      this.ids.set(subject, id);
    }
    return id;
  }

  /** The avsc type this process writes `eventType` with. */
  private writerType(eventType: string): avro.Type {
    let type = this.writerTypes.get(eventType);
    if (!type) {
      type = avro.Type.forSchema(this.schemas.schemaFor(eventType) as avro.Schema, { logicalTypes: avroLogicalTypes });
      this.writerTypes.set(eventType, type);
    }
    return type;
  }

  /** Encodes `payload` as `eventType` for `topic`; invalid payloads throw a PermanentError naming the fields. */
  async encode(topic: string, eventType: string, payload: unknown): Promise<{ value: Buffer; schemaId: number }> {
    const schemaId = await this.schemaIdFor(topic, eventType);
    const type = this.writerType(eventType);
    let body: Buffer;
    try {
      body = type.toBuffer(payload);
    } catch (err) {
      const invalid: string[] = [];
      type.isValid(payload, { errorHook: (path) => invalid.push(path.join('.') || '(root)') });
      const detail = invalid.length ? ` (invalid fields: ${invalid.join(', ')})` : '';
      throw new PermanentError(`${eventType} does not match its schema${detail}: ${errorMessage(err)}`, {
        errorClass: 'serde.invalid',
        cause: err,
      });
    }
    const value = Buffer.allocUnsafe(5 + body.length);
    value.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
    value.writeInt32BE(schemaId, 1);
    body.copy(value, 5);
    return { value, schemaId };
  }

  /**
   * Decodes a Confluent-framed Avro message. The payload is resolved into the
   * local schema of the same record when this process knows it (so a consumer
   * sees the shape it was built for, whichever compatible version wrote it).
   * Failures are PoisonMessageError (or TransientError when the registry is down).
   */
  async decode<T = unknown>(value: Buffer | null): Promise<DecodedEvent<T>> {
    if (!value || value.length < 5) {
      throw new PoisonMessageError(
        `message value is ${value ? `${value.length} bytes` : 'empty'}, too short for the Confluent wire format`,
        { errorClass: 'serde.not-confluent-wire' },
      );
    }
    if (value.readUInt8(0) !== CONFLUENT_MAGIC_BYTE) {
      throw new PoisonMessageError(`message does not start with the Confluent magic byte 0 (got ${value.readUInt8(0)})`, {
        errorClass: 'serde.not-confluent-wire',
      });
    }
    const schemaId = value.readInt32BE(1);
    const reader = await this.readerFor(schemaId);
    const eventType = simpleName(reader.fullName);
    try {
      return { schemaId, fullName: reader.fullName, eventType, payload: reader.read(value.subarray(5)) as T };
    } catch (err) {
      throw new PoisonMessageError(`cannot decode ${reader.fullName} (schema id ${schemaId}): ${errorMessage(err)}`, {
        errorClass: 'serde.undecodable',
        cause: err,
      });
    }
  }

  private readerFor(schemaId: number): Promise<{ fullName: string; read: (body: Buffer) => unknown }> {
    let reader = this.readers.get(schemaId);
    if (!reader) {
      reader = this.buildReader(schemaId);
      reader.catch(() => this.readers.delete(schemaId));
      this.readers.set(schemaId, reader);
    }
    return reader;
  }

  private async buildReader(schemaId: number): Promise<{ fullName: string; read: (body: Buffer) => unknown }> {
    let registered: RegistrySchema;
    try {
      registered = await this.registry.schemaById(schemaId);
    } catch (err) {
      // Only the registry saying "no such schema" makes the message poison; timeouts,
      // outages and refusals (wrong credentials) are transient: the message is held, not dead-lettered.
      if (err instanceof RegistryError && err.kind === 'not-found') {
        throw new PoisonMessageError(`unknown schema: ${err.message}`, { errorClass: 'serde.unknown-schema', cause: err });
      }
      throw new TransientError(`schema registry could not give ${errorMessage(err)}`, {
        errorClass: 'serde.registry-unavailable',
        cause: err,
      });
    }
    if (registered.schemaType !== 'AVRO') {
      throw new PoisonMessageError(`schema id ${schemaId} is a ${registered.schemaType} schema, not Avro`, {
        errorClass: 'serde.undecodable',
      });
    }
    let writer: avro.Type;
    try {
      writer = avro.Type.forSchema(JSON.parse(registered.schema) as avro.Schema, { logicalTypes: avroLogicalTypes });
    } catch (err) {
      throw new PoisonMessageError(`schema id ${schemaId} is not a valid Avro schema: ${errorMessage(err)}`, {
        errorClass: 'serde.undecodable',
        cause: err,
      });
    }
    const fullName = writer.name ?? 'unknown';
    const eventType = simpleName(fullName);
    let local: avro.Type | undefined;
    try {
      if (this.schemas.fullNameOf(eventType) === fullName) local = this.writerType(eventType);
    } catch {
      local = undefined; // not an event this process knows: read with the writer schema
    }
    // Lengths and block counts are checked against the bytes before avsc follows them (avro-bounds.ts).
    const inBounds = avroBoundsChecker(writer);
    if (!local || local.equals(writer)) {
      const type = local ?? writer;
      return {
        fullName,
        read: (body) => {
          inBounds(body);
          return type.fromBuffer(body);
        },
      };
    }
    let resolver: ReturnType<avro.Type['createResolver']>;
    try {
      resolver = local.createResolver(writer);
    } catch (err) {
      throw new PoisonMessageError(`schema id ${schemaId} (${fullName}) cannot be read as this service's version: ${errorMessage(err)}`, {
        errorClass: 'serde.incompatible',
        cause: err,
      });
    }
    const reader = local;
    return {
      fullName,
      read: (body) => {
        inBounds(body);
        return reader.fromBuffer(body, resolver);
      },
    };
  }
}
