// The few BSON types the launcher's MongoDB probe sends and reads. The probe
// speaks the wire protocol itself (one socket per command, a hard deadline
// each) instead of using the driver: a driver client against a wedged server
// keeps monitors and pooled sockets around, and its close() sends
// `endSessions`, which the wedged server never answers.

export type BsonValue = string | number | boolean | null | Date | BsonValue[] | BsonDocument;
export interface BsonDocument {
  [key: string]: BsonValue | undefined;
}

const int32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
};

const cstring = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');

function encodeElement(name: string, value: BsonValue): Buffer {
  if (typeof value === 'string') {
    const bytes = cstring(value);
    return Buffer.concat([Buffer.from([0x02]), cstring(name), int32(bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
      return Buffer.concat([Buffer.from([0x10]), cstring(name), int32(value)]);
    }
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return Buffer.concat([Buffer.from([0x01]), cstring(name), b]);
  }
  if (typeof value === 'boolean') return Buffer.concat([Buffer.from([0x08]), cstring(name), Buffer.from([value ? 1 : 0])]);
  if (value === null) return Buffer.concat([Buffer.from([0x0a]), cstring(name)]);
  if (value instanceof Date) {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(value.getTime()));
    return Buffer.concat([Buffer.from([0x09]), cstring(name), b]);
  }
  if (Array.isArray(value)) {
    const asDoc: BsonDocument = Object.fromEntries(value.map((v, i) => [String(i), v]));
    return Buffer.concat([Buffer.from([0x04]), cstring(name), encodeDocument(asDoc)]);
  }
  return Buffer.concat([Buffer.from([0x03]), cstring(name), encodeDocument(value)]);
}

/** Encodes a document; keys keep their order (the command name must come first). */
export function encodeDocument(doc: BsonDocument): Buffer {
  const elements = Object.entries(doc).flatMap(([k, v]) => (v === undefined ? [] : [encodeElement(k, v)]));
  const body = Buffer.concat([...elements, Buffer.from([0x00])]);
  return Buffer.concat([int32(body.length + 4), body]);
}

/**
 * Decodes a document at `offset`. Types the probe never needs (binary,
 * decimal128, regex, ...) decode as undefined; ObjectIds as hex strings.
 */
export function decodeDocument(buf: Buffer, offset = 0): { doc: BsonDocument; end: number } {
  const size = buf.readInt32LE(offset);
  const end = offset + size;
  if (size < 5 || end > buf.length) throw new RangeError(`BSON document of ${size} bytes does not fit the reply`);
  const doc: BsonDocument = {};
  let pos = offset + 4;
  while (pos < end - 1) {
    const type = buf.readUInt8(pos);
    const nameEnd = buf.indexOf(0, pos + 1);
    if (nameEnd < 0 || nameEnd >= end) throw new RangeError('unterminated BSON element name');
    const name = buf.toString('utf8', pos + 1, nameEnd);
    pos = nameEnd + 1;
    const [value, next] = decodeValue(buf, type, pos);
    doc[name] = value;
    pos = next;
  }
  return { doc, end };
}

function decodeValue(buf: Buffer, type: number, pos: number): [BsonValue | undefined, number] {
  switch (type) {
    case 0x01:
      return [buf.readDoubleLE(pos), pos + 8];
    case 0x02: {
      const length = buf.readInt32LE(pos);
      return [buf.toString('utf8', pos + 4, pos + 4 + length - 1), pos + 4 + length];
    }
    case 0x03: {
      const { doc, end } = decodeDocument(buf, pos);
      return [doc, end];
    }
    case 0x04: {
      const { doc, end } = decodeDocument(buf, pos);
      return [Object.values(doc).filter((v): v is BsonValue => v !== undefined), end];
    }
    case 0x05:
      return [undefined, pos + 4 + buf.readInt32LE(pos) + 1];
    case 0x07:
      return [buf.toString('hex', pos, pos + 12), pos + 12];
    case 0x08:
      return [buf.readUInt8(pos) !== 0, pos + 1];
    case 0x09:
      return [new Date(Number(buf.readBigInt64LE(pos))), pos + 8];
    case 0x0a:
      return [null, pos];
    case 0x10:
      return [buf.readInt32LE(pos), pos + 4];
    case 0x11:
    case 0x12:
      return [Number(buf.readBigInt64LE(pos)), pos + 8];
    case 0x13:
      return [undefined, pos + 16];
    default:
      throw new RangeError(`unsupported BSON type 0x${type.toString(16)}`);
  }
}
