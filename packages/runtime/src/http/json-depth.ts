/**
 * Nesting caps for JSON from outside. JSON.parse itself copes with deep input,
 * but the code that walks the result (validation, copies, logging) recurses,
 * and a 1 MB body of `[` is 1,000,000 levels: a stack overflow, a 500, or
 * seconds of work. Bodies are refused before they are parsed.
 */

/** The deepest nesting of objects and arrays accepted in a JSON body. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests objects/arrays deeper than `max`, by one pass over its
 * characters (brackets inside strings do not count). Linear and stops at the
 * first level over the cap; malformed text is left to the parser.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The same over UTF-8 bytes (multi-byte sequences never contain ASCII bytes), without decoding them. */
export function jsonBytesDepthExceeds(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The error a body parser's verify hook throws for a body over the cap (answered 400 problem+json by the runtime's
 * apps); `setting` names where the cap is configured, when it is.
 */
export function jsonTooDeep(max = MAX_JSON_DEPTH, setting?: string): Error & { status: number; expose: boolean; type: string } {
  const where = setting === undefined ? '' : `; setting ${setting}`;
  return Object.assign(new Error(`JSON body nested deeper than ${max} levels (the cap on objects and arrays within each other${where})`), {
    status: 400,
    expose: true,
    type: 'entity.too.deep',
  });
}

/**
 * An express.json `verify` hook: a body nested deeper than `max` is refused with jsonTooDeep(max, setting)
 * before it is parsed, by one pass over its bytes (UTF-8) or its decoded text (other charsets).
 */
export function jsonDepthVerifier(
  max = MAX_JSON_DEPTH,
  setting?: string,
): (req: unknown, res: unknown, buf: Buffer, encoding: string) => void {
  return (_req, _res, buf, encoding) => {
    const tooDeep =
      encoding === 'utf-8' || encoding === 'utf8'
        ? jsonBytesDepthExceeds(buf, max)
        : jsonDepthExceeds(new TextDecoder(encoding).decode(buf), max);
    if (tooDeep) throw jsonTooDeep(max, setting);
  };
}
