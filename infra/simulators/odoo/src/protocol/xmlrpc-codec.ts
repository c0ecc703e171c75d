/**
 * XML-RPC marshalling, written here because it is small and must match
 * Python's xmlrpc.client exactly (the format Odoo reads and writes):
 * int/i4/i8, boolean, string, double, dateTime.iso8601, base64, array,
 * struct and nil. Parsing uses fast-xml-parser with entity processing off
 * (standard and numeric character references are decoded here) and any
 * DOCTYPE refused, so entity-expansion bombs cannot do harm.
 */
import { XMLValidator } from 'fast-xml-parser';
import { OdooError, typeError, valueError } from '../errors.js';
import { PyFloat } from '../orm/py-float.js';
import { pyRepr } from '../orm/python-repr.js';
import { DEFAULT_CODEC_LIMITS, MAX_DEPTH_SETTING } from './codec-limits.js';
import { checkElementNesting, checkXmlRpcNesting, nestedTooDeep, tooManyNestedTags, xmlParserFor } from './xmlrpc-depth.js';

export interface MethodCall {
  methodName: string;
  params: unknown[];
}

type XmlNode = Record<string, unknown>;

/** A guard against cyclic values: the encoder writes what the simulator answers (a few levels) and test calls. */
const MAX_ENCODE_DEPTH = MAX_DEPTH_SETTING;

/**
 * Parses a methodCall. Every failure is an OdooError (answered as a fault): bad XML, a DTD, a value nested
 * deeper than `maxDepth` arrays/structs (refused before the text is validated or parsed), a bad value.
 * @default maxDepth 100 (ODOO_SIM_MAX_XMLRPC_DEPTH)
 */
export function parseMethodCall(xml: string, maxDepth: number = DEFAULT_CODEC_LIMITS.maxXmlRpcDepth): MethodCall {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new OdooError('EntitiesForbidden', "DTDForbidden(name='methodCall', system_id=None, public_id=None)");
  }
  checkXmlRpcNesting(xml, maxDepth);
  checkElementNesting(xml, maxDepth);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new OdooError('ExpatError', `${valid.err.msg}: line ${valid.err.line}, column ${valid.err.col}`);
  let parsed: XmlNode[];
  try {
    parsed = xmlParserFor(maxDepth).parse(xml) as XmlNode[];
  } catch {
    // Elements nested past the parser's cap that the scan above did not count as such: its bare Error, named.
    throw tooManyNestedTags(maxDepth);
  }
  const root = elements(parsed);
  const call = root.find((n) => tagOf(n) === 'methodCall');
  if (!call) throw new OdooError('ExpatError', 'syntax error: line 1, column 0');
  const parts = elements(childrenOf(call));
  const nameNode = parts.find((n) => tagOf(n) === 'methodName');
  const methodName = nameNode ? decodeEntities(textOf(childrenOf(nameNode))).trim() : '';
  const paramsNode = parts.find((n) => tagOf(n) === 'params');
  const params: unknown[] = [];
  if (paramsNode) {
    for (const p of elements(childrenOf(paramsNode))) {
      if (tagOf(p) !== 'param') continue;
      const v = elements(childrenOf(p)).find((n) => tagOf(n) === 'value');
      if (v) params.push(decodeValue(v, 0, maxDepth));
    }
  }
  return { methodName, params };
}

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}
function childrenOf(node: XmlNode): XmlNode[] {
  const v = node[tagOf(node)];
  return Array.isArray(v) ? (v as XmlNode[]) : [];
}
function elements(nodes: XmlNode[]): XmlNode[] {
  return nodes.filter((n) => tagOf(n) !== '#text');
}
function textOf(nodes: XmlNode[]): string {
  return nodes.map((n) => (typeof n['#text'] === 'string' ? n['#text'] : '')).join('');
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(Number.parseInt(ref.slice(2), 16), m);
    if (ref.startsWith('#')) return safeCodePoint(Number.parseInt(ref.slice(1), 10), m);
    const named = NAMED[ref];
    if (named === undefined) throw new OdooError('ExpatError', `undefined entity &${ref};: line 1, column 0`);
    return named;
  });
}

function safeCodePoint(cp: number, raw: string): string {
  if (!Number.isFinite(cp) || cp < 0 || cp > 0x10ffff)
    throw new OdooError('ExpatError', `reference to invalid character number ${raw}: line 1, column 0`);
  return String.fromCodePoint(cp);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * What Python's float() reads (xmlrpc.client decodes <double> with it): decimal literals, and inf, infinity and
 * nan in any case with a sign, which its marshaller writes for infinite and NaN values; not JavaScript's 0x1F or
 * 0b11. Null when it is no float.
 */
function pythonFloat(text: string): number | null {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  const special = SPECIAL.exec(t);
  if (!special) return null;
  if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** A <value> inside `depth` arrays/structs; deeper than `maxDepth` is a fault (the text check finds it first). */
function decodeValue(valueNode: XmlNode, depth: number, maxDepth: number): unknown {
  if (depth > maxDepth) throw nestedTooDeep(maxDepth);
  const kids = childrenOf(valueNode);
  const typed = elements(kids)[0];
  if (!typed) return decodeEntities(textOf(kids));
  const tag = tagOf(typed);
  const inner = childrenOf(typed);
  const text = decodeEntities(textOf(inner));
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8': {
      const t = text.trim();
      if (!/^[-+]?\d+$/.test(t)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(text)}`);
      const n = Number(t);
      if (!Number.isSafeInteger(n)) throw new OdooError('ValueError', `integer out of range: ${t}`);
      return n;
    }
    case 'boolean': {
      const t = text.trim();
      if (t === '1') return true;
      if (t === '0') return false;
      throw typeError('bad boolean value');
    }
    case 'string':
      return text;
    case 'double': {
      const n = pythonFloat(text);
      if (n === null) throw valueError(`could not convert string to float: ${pyRepr(text)}`);
      return n;
    }
    case 'dateTime.iso8601': {
      const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
      if (!m) throw valueError(`time data ${pyRepr(text)} does not match format '%Y%m%dT%H:%M:%S'`);
      return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
    }
    case 'base64':
      return text.replace(/\s+/g, '');
    case 'nil':
      return null;
    case 'array': {
      const data = elements(inner).find((n) => tagOf(n) === 'data');
      if (!data) return [];
      return elements(childrenOf(data))
        .filter((n) => tagOf(n) === 'value')
        .map((n) => decodeValue(n, depth + 1, maxDepth));
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const member of elements(inner)) {
        if (tagOf(member) !== 'member') continue;
        const parts = elements(childrenOf(member));
        const nameNode = parts.find((n) => tagOf(n) === 'name');
        const v = parts.find((n) => tagOf(n) === 'value');
        if (!nameNode || !v) continue;
        const key = decodeEntities(textOf(childrenOf(nameNode)));
        if (key === '__proto__') continue;
        out[key] = decodeValue(v, depth + 1, maxDepth);
      }
      return out;
    }
    default:
      throw valueError(`unknown XML-RPC tag ${pyRepr(tag)}`);
  }
}

// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these; Odoo strips them too
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function escapeXml(s: string): string {
  return s.replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Python float repr: integers keep a trailing ".0". */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n);
}

const INT_MAX = 2 ** 31 - 1;

export function encodeValue(v: unknown, allowNone: boolean, depth = 0): string {
  if (depth > MAX_ENCODE_DEPTH) throw valueError('value nested too deeply to marshal');
  if (v === null || v === undefined) {
    if (!allowNone) throw typeError('cannot marshal None unless allow_none is enabled');
    return '<value><nil/></value>';
  }
  if (v instanceof PyFloat) return `<value><double>${pyFloatRepr(v.value)}</double></value>`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) {
      if (v > INT_MAX || v < -INT_MAX - 1) throw new OdooError('ValueError', 'int exceeds XML-RPC limits');
      return `<value><int>${v}</int></value>`;
    }
    return `<value><double>${pyFloatRepr(v)}</double></value>`;
  }
  if (typeof v === 'string') return `<value><string>${escapeXml(v)}</string></value>`;
  if (Array.isArray(v))
    return `<value><array><data>\n${v.map((x) => encodeValue(x, allowNone, depth + 1)).join('\n')}\n</data></array></value>`;
  if (typeof v === 'object') {
    const members = Object.entries(v as Record<string, unknown>).map(
      ([k, x]) => `<member>\n<name>${escapeXml(k)}</name>\n${encodeValue(x, allowNone, depth + 1)}\n</member>`,
    );
    return `<value><struct>\n${members.join('\n')}\n</struct></value>`;
  }
  throw typeError(`cannot marshal ${typeof v} objects`);
}

const wrap = (body: string): string => `<?xml version="1.0"?>\n<methodResponse>\n${body}\n</methodResponse>\n`;

export function encodeResponse(result: unknown, allowNone: boolean): string {
  return wrap(`<params>\n<param>\n${encodeValue(result, allowNone)}\n</param>\n</params>`);
}

export function encodeFault(faultCode: number | string, faultString: string): string {
  return wrap(`<fault>\n${encodeValue({ faultCode, faultString }, false)}\n</fault>`);
}

/** Encodes a call (used by the tests and tools that speak XML-RPC to the simulator). */
export function encodeMethodCall(methodName: string, params: unknown[]): string {
  return `<?xml version="1.0"?>\n<methodCall>\n<methodName>${escapeXml(methodName)}</methodName>\n<params>\n${params
    .map((p) => `<param>\n${encodeValue(p, true)}\n</param>`)
    .join('\n')}\n</params>\n</methodCall>\n`;
}

/** Decodes a methodResponse (result or fault); for clients and tests. */
export function parseMethodResponse(xml: string): { result?: unknown; fault?: { faultCode: unknown; faultString: unknown } } {
  const maxDepth = DEFAULT_CODEC_LIMITS.maxXmlRpcDepth;
  const root = elements(xmlParserFor(maxDepth).parse(xml) as XmlNode[]);
  const resp = root.find((n) => tagOf(n) === 'methodResponse');
  if (!resp) throw new Error('not a methodResponse');
  const parts = elements(childrenOf(resp));
  const fault = parts.find((n) => tagOf(n) === 'fault');
  if (fault) {
    const v = elements(childrenOf(fault)).find((n) => tagOf(n) === 'value')!;
    return { fault: decodeValue(v, 0, maxDepth) as { faultCode: unknown; faultString: unknown } };
  }
  const params = parts.find((n) => tagOf(n) === 'params')!;
  const param = elements(childrenOf(params)).find((n) => tagOf(n) === 'param')!;
  const v = elements(childrenOf(param)).find((n) => tagOf(n) === 'value')!;
  return { result: decodeValue(v, 0, maxDepth) };
}
