import { XMLParser } from 'fast-xml-parser';
import { OdooError, valueError } from '../errors.js';
import { CODEC_LIMIT_SETTINGS } from './codec-limits.js';

/** The fault a call nested deeper than `max` arrays/structs gets: the cap and its setting. */
export function nestedTooDeep(max: number): Error {
  return valueError(`XML-RPC value nested deeper than ${max} arrays/structs (the cap; setting ${CODEC_LIMIT_SETTINGS.maxXmlRpcDepth})`);
}

const NESTING_TAG = /<(\/?)(?:array|struct)\s*>/g;

/**
 * Refuses a call that nests <array>/<struct> deeper than `max`, by one regex pass over the text before it is
 * validated or parsed (fast-xml-parser refused 100 nested tags of any kind with a bare Error, after validating
 * the whole text).
 */
export function checkXmlRpcNesting(xml: string, max: number): void {
  let depth = 0;
  NESTING_TAG.lastIndex = 0;
  for (let m = NESTING_TAG.exec(xml); m; m = NESTING_TAG.exec(xml)) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > max) throw nestedTooDeep(max);
  }
}

/** Elements within each other a call may have: methodCall/params/param, then 3 per level (value/array/data or value/struct/member), and slack. */
export function nestedTagCap(maxDepth: number): number {
  return 3 * maxDepth + 16;
}

/** The ExpatError for elements nested past nestedTagCap(maxDepth): the cap and the setting it follows. */
export function tooManyNestedTags(maxDepth: number): OdooError {
  return new OdooError(
    'ExpatError',
    `Maximum nested tags exceeded (more than ${nestedTagCap(maxDepth)} elements within each other: 3 per level of ${CODEC_LIMIT_SETTINGS.maxXmlRpcDepth}, and 16)`,
  );
}

/** Where the markup starting at `i` (just after a `<`) ends: comments, CDATA, PIs and declarations do not nest. */
function skipNonElement(xml: string, i: number): number {
  if (xml.startsWith('!--', i)) return xml.indexOf('-->', i + 3);
  if (xml.startsWith('![CDATA[', i)) return xml.indexOf(']]>', i + 8);
  if (xml[i] === '?') return xml.indexOf('?>', i + 1);
  return xml.indexOf('>', i);
}

/**
 * Refuses elements of any name nested past nestedTagCap(maxDepth), by one pass from `<` to `<` before the text
 * is validated: fast-xml-parser's validator walked 100,000 nested <a> (700 KB) for 0.2-0.5 s before its parser
 * refused them. Self-closing elements, comments, CDATA, PIs and declarations do not count. Text the scan
 * misreads (a `>` inside an attribute value) only changes which of the two checks refuses it.
 */
export function checkElementNesting(xml: string, maxDepth: number): void {
  const cap = nestedTagCap(maxDepth);
  let depth = 0;
  for (let lt = xml.indexOf('<'); lt >= 0; ) {
    const next = xml[lt + 1];
    let end: number;
    if (next === '/') {
      depth = Math.max(0, depth - 1);
      end = xml.indexOf('>', lt);
    } else if (next === '!' || next === '?') end = skipNonElement(xml, lt + 1);
    else {
      end = xml.indexOf('>', lt);
      if (end > 0 && xml[end - 1] !== '/' && ++depth > cap) throw tooManyNestedTags(maxDepth);
    }
    if (end < 0) return;
    lt = xml.indexOf('<', end);
  }
}

const parsers = new Map<number, XMLParser>();

/** The parser for calls of at most `maxDepth` levels (one per cap, kept). */
export function xmlParserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({
      preserveOrder: true,
      trimValues: false,
      parseTagValue: false,
      processEntities: false,
      ignoreAttributes: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: nestedTagCap(maxDepth),
    });
    parsers.set(maxDepth, parser);
  }
  return parser;
}
