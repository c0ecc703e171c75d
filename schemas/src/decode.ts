import avro from 'avsc';
import { avroBoundsChecker } from './avro-bounds.js';
import type { EventPayloads, EventType } from './generated/types.js';
import { avroLogicalTypes } from './logical-types.js';
import { RegistryClient, RegistryError } from './registry-client.js';

/** A decoded ODX event: narrowing on `eventType` types `payload` (no cast needed). */
export type DecodedOdxEvent = {
  [K in EventType]: {
    eventType: K;
    payload: EventPayloads[K];
    /** Registry id of the schema the producer wrote with. */
    schemaId: number;
    /** Full record name, e.g. com.odx.events.OrderConfirmed. */
    fullName: string;
  };
}[EventType];

/**
 * Why a message could not be decoded:
 * - `not-confluent-wire`: no magic byte 0 + 4-byte schema id;
 * - `unknown-schema`: the registry (or lookup) has no schema with that id;
 * - `unknown-event-type`: a schema this package version does not know (e.g. a newer event type): skip it or upgrade;
 * - `undecodable`: the bytes or the schema are not valid Avro for each other;
 * - `registry-unavailable`: the registry did not answer (try again later).
 */
export type DecodeFailure = 'not-confluent-wire' | 'unknown-schema' | 'unknown-event-type' | 'undecodable' | 'registry-unavailable';

/** A message that did not decode; `transient` says whether trying again can help. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly transient: boolean;
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    readonly schemaId?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.transient = reason === 'registry-unavailable';
  }
}

/** The writer schema of a registry id: Avro JSON text or the parsed schema. */
export type SchemaLookup = (schemaId: number) => Promise<string | object> | string | object;

export interface EventDecoderOptions {
  /** Confluent-compatible registry API, e.g. http://127.0.0.1:8081/apis/ccompat/v7. Ignored with `schemaLookup`. */
  registryUrl?: string;
  /** HTTP basic credentials for the registry. @default none */
  registryAuth?: { username: string; password: string };
  /** Where writer schemas come from instead of a registry (tests, a schema cache of your own). */
  schemaLookup?: SchemaLookup;
  /**
   * The reader schema of an event type: payloads are resolved into it, so a
   * consumer sees the shape its @odx/schemas version was built for, whichever
   * compatible version wrote the message.
   */
  readerType: (eventType: EventType) => avro.Type;
  /** The event type of a full record name, or undefined for names this package does not know. */
  eventTypeOf: (fullName: string) => EventType | undefined;
}

interface Reader {
  eventType: EventType;
  fullName: string;
  read: (body: Buffer) => unknown;
}

const MAGIC_BYTE = 0;

/**
 * Decodes Confluent-framed Avro messages of ODX topics into typed events.
 * Writer schemas are fetched once per schema id (a failed lookup is asked
 * again next time). Bodies are checked against their schema's lengths and
 * block counts before avsc reads them, so a hostile message fails fast.
 */
export class EventDecoder {
  private readonly readers = new Map<number, Promise<Reader>>();
  private readonly lookup: (schemaId: number) => Promise<string | object>;

  constructor(private readonly options: EventDecoderOptions) {
    if (options.schemaLookup) {
      const lookup = options.schemaLookup;
      this.lookup = async (id) => lookup(id);
    } else {
      const registry = new RegistryClient({ url: options.registryUrl, auth: options.registryAuth });
      this.lookup = async (id) => {
        const found = await registry.schemaById(id);
        if (found.schemaType !== 'AVRO')
          throw new DecodeError('undecodable', `schema id ${id} is a ${found.schemaType} schema, not Avro`, id);
        return found.schema;
      };
    }
  }

  /** The event in a Kafka message value (Confluent wire format). Throws DecodeError. */
  async decode(value: Uint8Array | null | undefined): Promise<DecodedOdxEvent> {
    if (!value || value.length < 5) {
      throw new DecodeError(
        'not-confluent-wire',
        `message value is ${value ? `${value.length} bytes` : 'empty'}, too short for the Confluent wire format`,
      );
    }
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (buf.readUInt8(0) !== MAGIC_BYTE) {
      throw new DecodeError('not-confluent-wire', `message does not start with the Confluent magic byte 0 (got ${buf.readUInt8(0)})`);
    }
    const schemaId = buf.readInt32BE(1);
    const reader = await this.readerFor(schemaId);
    let payload: unknown;
    try {
      payload = reader.read(buf.subarray(5));
    } catch (err) {
      throw new DecodeError(
        'undecodable',
        `cannot decode ${reader.fullName} (schema id ${schemaId}): ${(err as Error).message}`,
        schemaId,
        {
          cause: err,
        },
      );
    }
    // The one cast: the reader was built from the schema of `eventType`, so the payload has its shape.
    return { eventType: reader.eventType, payload, schemaId, fullName: reader.fullName } as DecodedOdxEvent;
  }

  private readerFor(schemaId: number): Promise<Reader> {
    let reader = this.readers.get(schemaId);
    if (!reader) {
      reader = this.buildReader(schemaId);
      reader.catch(() => this.readers.delete(schemaId));
      this.readers.set(schemaId, reader);
    }
    return reader;
  }

  private async buildReader(schemaId: number): Promise<Reader> {
    let found: string | object;
    try {
      found = await this.lookup(schemaId);
    } catch (err) {
      if (err instanceof DecodeError) throw err;
      if (err instanceof RegistryError && err.kind === 'not-found') {
        throw new DecodeError('unknown-schema', `unknown schema id ${schemaId}: ${err.message}`, schemaId, { cause: err });
      }
      const reason = err instanceof RegistryError && err.kind === 'rejected' ? 'undecodable' : 'registry-unavailable';
      throw new DecodeError(reason, `could not get schema id ${schemaId}: ${(err as Error).message}`, schemaId, { cause: err });
    }
    let writer: avro.Type;
    try {
      const schema: unknown = typeof found === 'string' ? JSON.parse(found) : found;
      writer = avro.Type.forSchema(schema as avro.Schema, { logicalTypes: avroLogicalTypes });
    } catch (err) {
      throw new DecodeError('undecodable', `schema id ${schemaId} is not a valid Avro schema: ${(err as Error).message}`, schemaId, {
        cause: err,
      });
    }
    const fullName = writer.name;
    const eventType = fullName === undefined ? undefined : this.options.eventTypeOf(fullName);
    if (!fullName || !eventType) {
      throw new DecodeError(
        'unknown-event-type',
        `schema id ${schemaId} is ${fullName ?? 'an unnamed schema'}, not an event type this @odx/schemas version knows`,
        schemaId,
      );
    }
    const local = this.options.readerType(eventType);
    let resolver: avro.Resolver;
    try {
      resolver = local.createResolver(writer);
    } catch (err) {
      throw new DecodeError(
        'undecodable',
        `${fullName} (schema id ${schemaId}) cannot be read as this package's ${eventType}: ${(err as Error).message}`,
        schemaId,
        {
          cause: err,
        },
      );
    }
    const checkBounds = avroBoundsChecker(writer);
    return {
      eventType,
      fullName,
      read: (body) => {
        checkBounds(body);
        return local.fromBuffer(body, resolver);
      },
    };
  }
}
