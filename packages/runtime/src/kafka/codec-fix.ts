// Fixes for the CPU cost of kafkajs 2.2.4's protocol codec, the largest cost in producing and consuming events
// with ODX's wire format (a CloudEvents header set of about ten headers per record). Measured with
// `node --cpu-prof` on bench:runtime's raw-wire phase, before the fixes: 23 % of the CPU in Buffer construction
// plus the garbage collection it caused, and the record decoder's header fold among the top self times.
//
// Where the cost was, and what each fix changes (the bytes and objects kafkajs produces stay identical;
// codec-fix.test.ts compares them with the unpatched codec's for whole produce requests and fetched batches):
// - Every protocol structure is built with `new Encoder()`, which starts with `Buffer.alloc(512)`: a zero-filled
//   buffer outside the heap. A record takes about a dozen (the record, one per header) and then grows by
//   allocating a zeroed copy. Fixed: an Encoder starts empty and takes its buffer from Node's shared pool on
//   the first write (`Buffer.allocUnsafe`, pooled below 4 KB; never zero-filled, and kafkajs only ever exposes
//   the bytes it wrote, `buf.slice(0, offset)`).
// - Each varint is written by building an array and copying `Buffer.from(array)`. Fixed: written in place.
// - Nested encoders are copied through `buf.slice()` (a new Buffer object each) and `Buffer#copy`. Fixed:
//   `Uint8Array#set` from the nested encoder's bytes.
// - Each fetched record folds its headers with an object spread per header (quadratic in the header count) and
//   computes its offset and timestamp by parsing the batch's base values into BigInts. Fixed: one object built
//   in a loop (repeated keys still become arrays), and plain number arithmetic while the values are safe
//   integers (offsets and millisecond timestamps are, by 2^53 ~ 9e15), the BigInt path otherwise.
//
// Why patches and not a kafkajs change: kafkajs has had no release since 2023 (see request-queue-fix.ts).
// How: the Encoder's methods are replaced on its prototype. Its constructor is not replaceable, but it sizes
// its buffer through the static `Encoder.nextPowerOfTwo`, which kafkajs calls nowhere else than there and in
// `ensureAvailable`; once `ensureAvailable` is replaced, a `nextPowerOfTwo` answering 0 leaves the constructor
// an empty buffer. The record decoder is a module of its own that kafkajs loads lazily, with the first fetch
// response; the fix puts its own function in that module's place in the require cache before then. The unit
// test fails if any of these shapes changes in a kafkajs update.
import { createRequire } from 'node:module';

interface EncoderLike {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
  writeBufferInternal(buffer: Uint8Array): void;
  writeUVarInt(value: number): EncoderLike;
  writeEncoder(value: EncoderLike): EncoderLike;
  writeEncoderArray(value: EncoderLike[]): EncoderLike;
  writeInt8(value: number): EncoderLike;
}

export interface EncoderClass {
  new (initialSize?: number): EncoderLike;
  prototype: EncoderLike;
  nextPowerOfTwo(value: number): number;
  encodeZigZag(value: number): number;
}

/** kafkajs's decoder, as far as the record decoder uses it. */
export interface DecoderLike {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): { toString(): string };
  readVarIntString(): string | null;
  readVarIntBytes(): Buffer | null;
}

interface LongLike {
  add(other: unknown): LongLike;
  toString(): string;
}
interface LongClass {
  fromValue(value: unknown): LongLike;
}

/** What kafkajs's record decoder receives from the batch decoder. */
export interface RecordBatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

export type RecordDecoder = (decoder: DecoderLike, batchContext?: RecordBatchContext) => unknown;

const FIXED = Symbol.for('odx.kafkajs.codecFix');
/** The smallest buffer an Encoder takes on its first write: a record header or an int fits without growing. */
const MIN_CAPACITY = 64;
/** kafkajs's TimestampTypes.LOG_APPEND_TIME. */
const LOG_APPEND_TIME = 1;

interface KafkajsCodec {
  Encoder: EncoderClass;
  Long: LongClass;
  recordDecoderPath: string;
  recordBatchDecoderPath: string;
  cache: NodeJS.Require['cache'];
  load(path: string): unknown;
}

/** The codec modules of the kafkajs that `kafkajs` resolves to, or undefined if its layout changed. */
export function kafkajsCodec(): KafkajsCodec | undefined {
  try {
    const require = createRequire(import.meta.url);
    // kafkajs ships its sources; main is <pkg>/index.js.
    const src = require.resolve('kafkajs').replace(/index\.js$/, 'src/');
    const Encoder = require(`${src}protocol/encoder.js`) as EncoderClass;
    const Long = require(`${src}utils/long.js`) as LongClass;
    if (typeof Encoder?.nextPowerOfTwo !== 'function' || typeof Encoder.prototype?.ensureAvailable !== 'function') return undefined;
    if (typeof Long?.fromValue !== 'function') return undefined;
    return {
      Encoder,
      Long,
      recordDecoderPath: require.resolve(`${src}protocol/recordBatch/record/v0/decoder.js`),
      recordBatchDecoderPath: require.resolve(`${src}protocol/recordBatch/v0/decoder.js`),
      cache: require.cache,
      load: (path) => require(path) as unknown,
    };
  } catch {
    return undefined;
  }
}

/** Replaces the Encoder's allocating methods (see the header); the bytes written are the same. */
export function patchEncoder(Encoder: EncoderClass): void {
  const powerOfTwo = Encoder.nextPowerOfTwo.bind(Encoder);
  const proto = Encoder.prototype;
  proto.ensureAvailable = function (this: EncoderLike, length: number): void {
    const needed = this.offset + length;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, powerOfTwo(needed)));
    if (this.offset > 0) grown.set(this.buf.subarray(0, this.offset));
    this.buf = grown;
  };
  // Only the constructor still calls it: its initial buffer becomes empty.
  Encoder.nextPowerOfTwo = () => 0;
  proto.writeBufferInternal = function (this: EncoderLike, buffer: Uint8Array): void {
    this.ensureAvailable(buffer.length);
    this.buf.set(buffer, this.offset);
    this.offset += buffer.length;
  };
  proto.writeUVarInt = function (this: EncoderLike, value: number): EncoderLike {
    this.ensureAvailable(5); // a 32-bit varint takes at most 5 bytes
    let rest = value;
    while ((rest & 0xffffff80) !== 0) {
      this.buf[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.offset++] = rest & 0x7f;
    return this;
  };
  const writeNested = (into: EncoderLike, nested: EncoderLike): void => {
    into.writeBufferInternal(nested.buf.subarray(0, nested.offset));
  };
  proto.writeEncoder = function (this: EncoderLike, value: EncoderLike): EncoderLike {
    if (value == null || !Buffer.isBuffer(value.buf)) throw new Error('value should be an instance of Encoder');
    writeNested(this, value);
    return this;
  };
  proto.writeEncoderArray = function (this: EncoderLike, value: EncoderLike[]): EncoderLike {
    if (!Array.isArray(value) || value.some((v) => v == null || !Buffer.isBuffer(v.buf))) {
      throw new Error('all values should be an instance of Encoder[]');
    }
    for (const v of value) writeNested(this, v);
    return this;
  };
}

/**
 * A zig-zag varlong of at most 7 bytes (49 bits, so exact as a number), or undefined with the decoder's offset
 * unchanged when it is longer (the caller then uses kafkajs's BigInt reader).
 */
function readSmallVarLong(decoder: DecoderLike): number | undefined {
  const buf = decoder.buffer;
  let offset = decoder.offset;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const byte = buf[offset++];
    if (byte === undefined) return undefined;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      decoder.offset = offset;
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    scale *= 128;
  }
  return undefined;
}

/** base + delta as kafkajs writes it (a decimal string), with numbers while exact and BigInts otherwise. */
function addToDecimal(Long: LongClass, base: string | undefined, delta: number | LongLike): string {
  if (typeof delta === 'number' && base !== undefined) {
    const b = Number(base);
    const sum = b + delta;
    if (Number.isSafeInteger(b) && Number.isSafeInteger(sum)) return String(sum);
  }
  return Long.fromValue(base)
    .add(typeof delta === 'number' ? Long.fromValue(delta) : delta)
    .toString();
}

/** kafkajs's record v0 decoder, returning the same object without its per-header spreads and BigInt parses. */
export function createRecordDecoder(Long: LongClass): RecordDecoder {
  return (decoder, batchContext = {}) => {
    const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    const attributes = decoder.readInt8();
    const timestampDelta = readSmallVarLong(decoder) ?? (decoder.readVarLong() as LongLike);
    const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : addToDecimal(Long, firstTimestamp, timestampDelta);
    const offset = addToDecimal(Long, firstOffset, decoder.readVarInt());
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
    const count = decoder.readVarInt();
    for (let i = 0; i < count; i++) {
      const name = decoder.readVarIntString() as string;
      const headerValue = decoder.readVarIntBytes();
      const seen = headers[name];
      headers[name] = seen === undefined ? headerValue : Array.isArray(seen) ? [...seen, headerValue] : [seen, headerValue];
    }
    return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: isControlBatch, batchContext };
  };
}

/**
 * Installs the fixes once per process; returns whether they are in place. The decoder fix needs to run before
 * kafkajs decodes its first fetch response (createKafka runs it before it builds a client); if that happened
 * earlier in the process, neither fix is installed and the answer is false.
 */
export function fixKafkajsCodec(codec: KafkajsCodec | null | undefined = kafkajsCodec()): boolean {
  if (!codec) return false;
  const marked = codec.Encoder as EncoderClass & { [FIXED]?: true };
  if (marked[FIXED]) return true;
  if (codec.cache[codec.recordBatchDecoderPath]) return false;
  codec.load(codec.recordDecoderPath);
  const entry = codec.cache[codec.recordDecoderPath];
  if (!entry) return false;
  entry.exports = createRecordDecoder(codec.Long);
  patchEncoder(codec.Encoder);
  marked[FIXED] = true;
  return true;
}
