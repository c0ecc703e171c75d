import type avro from 'avsc';

/** Items of a type that takes no bytes (null, an empty record) one message may declare, in all its arrays and maps. */
export const MAX_ZERO_SIZE_ITEMS = 65_536;

/** Why a body was refused before avsc decoded it. */
export class AvroBoundsError extends Error {
  override readonly name = 'AvroBoundsError';
}

type Skip = (buf: Buffer, pos: number, state: { zeroSizeItems: number }) => number;

/**
 * A walk over an Avro body by the writer's schema that decodes nothing and
 * checks every length and array/map block count against the bytes left.
 * avsc follows a block count as given (`new Array(n)`, then n reads past the
 * end, then "truncated buffer"): a 5-byte value claiming millions of items
 * looped millions of times, and 2^50 would never end. Each item of a type
 * that takes at least one byte must fit in what is left, so the walk (and
 * the decode after it) is linear in the body; items that take no bytes are
 * capped at MAX_ZERO_SIZE_ITEMS per message.
 */
export function avroBoundsChecker(type: avro.Type): (body: Buffer) => void {
  const skip = compile(type, new Map());
  return (body) => {
    const end = skip(body, 0, { zeroSizeItems: 0 });
    if (end > body.length) throw new AvroBoundsError(`the value ends ${end - body.length} bytes past the message`);
  };
}

/** Set by readLong: the position after the varint (a module variable avoids an object per number). */
let after = 0;

function readLong(buf: Buffer, pos: number): number {
  let n = 0;
  let shift = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= buf.length) throw new AvroBoundsError('the value ends inside a number');
    const b = buf[pos + i]!;
    n += (b & 0x7f) * shift;
    shift *= 128;
    if ((b & 0x80) === 0) {
      after = pos + i + 1;
      return n % 2 ? -(n + 1) / 2 : n / 2;
    }
  }
  throw new AvroBoundsError('a number longer than 10 bytes');
}

function need(buf: Buffer, pos: number, bytes: number, what: string): number {
  if (bytes < 0 || bytes > buf.length - pos) throw new AvroBoundsError(`${what} of ${bytes} bytes, ${buf.length - pos} left`);
  return pos + bytes;
}

function minSize(type: avro.Type, seen: Set<avro.Type>): number {
  const t = type as avro.Type & Partial<Record<'underlyingType' | 'itemsType' | 'valuesType', avro.Type>> & { size?: number };
  if (t.underlyingType) return minSize(t.underlyingType, seen);
  switch (type.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t.size ?? 0;
    case 'record':
    case 'error': {
      if (seen.has(type)) return 0;
      seen.add(type);
      const fields = (type as avro.types.RecordType).fields;
      const size = fields.reduce((sum, f) => sum + minSize(f.type, seen), 0);
      seen.delete(type);
      return size;
    }
    default:
      return 1; // boolean, int, long, bytes, string, enum, array, map, union: at least one byte
  }
}

function compile(type: avro.Type, compiled: Map<avro.Type, Skip>): Skip {
  const done = compiled.get(type);
  if (done) return done;
  // Named types may refer to themselves: register a forwarder first.
  let impl: Skip = () => 0;
  const forward: Skip = (buf, pos, state) => impl(buf, pos, state);
  compiled.set(type, forward);
  impl = build(type, compiled);
  return impl;
}

function build(type: avro.Type, compiled: Map<avro.Type, Skip>): Skip {
  const t = type as avro.Type & Partial<Record<'underlyingType' | 'itemsType' | 'valuesType', avro.Type>> & { size?: number };
  if (t.underlyingType) return compile(t.underlyingType, compiled);
  switch (type.typeName) {
    case 'null':
      return (_buf, pos) => pos;
    case 'boolean':
      return (buf, pos) => need(buf, pos, 1, 'a boolean');
    case 'int':
    case 'long':
    case 'enum':
      return (buf, pos) => (readLong(buf, pos), after);
    case 'float':
      return (buf, pos) => need(buf, pos, 4, 'a float');
    case 'double':
      return (buf, pos) => need(buf, pos, 8, 'a double');
    case 'fixed': {
      const size = t.size ?? 0;
      return (buf, pos) => need(buf, pos, size, 'a fixed');
    }
    case 'bytes':
    case 'string':
      return (buf, pos) => {
        const len = readLong(buf, pos);
        return need(buf, after, len, 'a string or bytes');
      };
    case 'record':
    case 'error': {
      const fields = (type as avro.types.RecordType).fields.map((f) => compile(f.type, compiled));
      return (buf, pos, state) => {
        let p = pos;
        for (const f of fields) p = f(buf, p, state);
        return p;
      };
    }
    case 'union:wrapped':
    case 'union:unwrapped': {
      const branches = (type as avro.types.UnwrappedUnionType).types.map((b) => compile(b, compiled));
      return (buf, pos, state) => {
        const index = readLong(buf, pos);
        const branch = branches[index];
        if (!branch) throw new AvroBoundsError(`union branch ${index} of ${branches.length}`);
        return branch(buf, after, state);
      };
    }
    case 'array':
    case 'map': {
      const isMap = type.typeName === 'map';
      const itemType = isMap ? t.valuesType! : t.itemsType!;
      const item = compile(itemType, compiled);
      const itemSize = minSize(itemType, new Set()) + (isMap ? 1 : 0);
      const readKey = (buf: Buffer, pos: number): number => {
        const len = readLong(buf, pos);
        return need(buf, after, len, 'a map key');
      };
      return (buf, pos, state) => {
        let p = pos;
        for (;;) {
          let n = readLong(buf, p);
          p = after;
          if (n === 0) return p;
          if (n < 0) {
            n = -n;
            const blockBytes = readLong(buf, p);
            p = after;
            if (blockBytes < 0 || blockBytes > buf.length - p)
              throw new AvroBoundsError(`a block of ${blockBytes} bytes, ${buf.length - p} left`);
          }
          if (itemSize > 0 && n > (buf.length - p) / itemSize)
            throw new AvroBoundsError(`an ${type.typeName} block of ${n} items in ${buf.length - p} bytes`);
          if (itemSize === 0 && (state.zeroSizeItems += n) > MAX_ZERO_SIZE_ITEMS)
            throw new AvroBoundsError(`more than ${MAX_ZERO_SIZE_ITEMS} items that take no bytes`);
          for (let i = 0; i < n; i++) {
            if (isMap) p = readKey(buf, p);
            p = item(buf, p, state);
          }
        }
      };
    }
    default:
      throw new AvroBoundsError(`unknown Avro type ${type.typeName}`);
  }
}
