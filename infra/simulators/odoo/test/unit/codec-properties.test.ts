// Property-based and hand-written hostile tests of the simulator's codecs, without a server: XML-RPC values
// survive encode -> decode; any text given to the XML-RPC, JSON-RPC or JSON-2 reader is read or refused with an
// Odoo error (a fault or a 400), never another error, and in time linear in its size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OdooError } from '../../src/errors.js';
import { DEFAULT_CODEC_LIMITS } from '../../src/protocol/codec-limits.js';
import { toJson } from '../../src/protocol/json-body.js';
import { readJson2Body } from '../../src/protocol/json2-body.js';
import { readJsonRpcEnvelope } from '../../src/protocol/jsonrpc-envelope.js';
import { encodeMethodCall, parseMethodCall } from '../../src/protocol/xmlrpc-codec.js';

const { maxXmlRpcDepth, maxJsonDepth } = DEFAULT_CODEC_LIMITS;

/** What parseMethodCall does with `xml`: the call, or the OdooError (anything else fails the test). */
function readCall(xml: string, maxDepth = maxXmlRpcDepth): ReturnType<typeof parseMethodCall> | OdooError {
  try {
    return parseMethodCall(xml, maxDepth);
  } catch (err) {
    if (err instanceof OdooError) return err;
    throw err;
  }
}

/** CPU time of `fn` (user + system): the machine is shared, and load stretches wall time severalfold. */
function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * The least CPU time of up to three runs of `fn`, stopping at one within `budget`: a shared machine's noise (GC
 * threads, a busy neighbour) only adds time, and a reader that is not linear misses the budget every time.
 */
function leastCpuMs(fn: () => void, budget: number): number {
  let ms = cpuMs(fn);
  for (let run = 2; run <= 3 && ms >= budget; run++) ms = Math.min(ms, cpuMs(fn));
  return ms;
}

/** A refusal: 5 MB in at most 1 s of CPU, proportionally less for less (plus a fixed 100 ms), as the EDI parsers'. */
const budgetMs = (bytes: number): number => 100 + (bytes / 5_000_000) * 1_000;
/**
 * A large call that is read: 1 s of CPU per MB (plus 100 ms). fast-xml-parser itself reads ~0.2-0.3 µs per byte
 * here under a load of 10-16 on 2 cores (5.4 MB of <int> values: validate 0.25-0.5 s, parse 1.1-1.5 s, the
 * whole call 1.9-2.4 s), so a large valid call cannot meet the refusal budget.
 */
const readBudgetMs = (bytes: number): number => 100 + (bytes / 1_000_000) * 1_000;

/** XML-RPC values as Python's xmlrpc.client marshals them: 32-bit ints, booleans, strings, doubles, None, lists, dicts. */
const { xmlRpcValue } = fc.letrec((tie) => ({
  xmlRpcValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.boolean(),
    fc.string({ unit: 'binary' }),
    fc.double().filter((d) => !Number.isInteger(d)),
    fc.constant(null),
    fc.array(tie('xmlRpcValue'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('xmlRpcValue'), { maxKeys: 5 }),
  ),
}));

/**
 * What XML can carry of a string: control characters other than tab and newlines are dropped (XML 1.0 has no
 * way to write them; Odoo drops them too), and \r\n or \r reads back as \n (every XML parser, expat included,
 * normalizes line ends; Python's xmlrpc.client does not escape \r either).
 */
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry
const carried = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/\r\n?/g, '\n');

/** The value a decoded call holds for `v`: strings as carried, and no `__proto__` key (the decoder drops it). */
function expectedOf(v: unknown): unknown {
  if (typeof v === 'string') return carried(v);
  if (Array.isArray(v)) return v.map(expectedOf);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => carried(k) !== '__proto__')
      .map(([k, x]) => [carried(k), expectedOf(x)]),
  );
}

/** Pieces of XML-RPC, so random text reaches the decoder's corners (types, entities, CDATA, comments, PIs). */
const xmlToken = fc.constantFrom(
  '<?xml version="1.0"?>', '<methodCall>', '</methodCall>', '<methodName>', '</methodName>', '<params>', '</params>',
  '<param>', '</param>', '<value>', '</value>', '<array>', '</array>', '<data>', '</data>', '<struct>', '</struct>',
  '<member>', '</member>', '<name>', '</name>', '<int>', '</int>', '<i8>', '<boolean>', '<string>', '</string>',
  '<double>', '<dateTime.iso8601>', '<base64>', '<nil/>', '1', '-', 'x', '&amp;', '&#x0;', '&#1114112;', '&lt;',
  '&bogus;', '<![CDATA[', ']]>', '<!--', '-->', '<', '>', '/', '"', ' ', '\n', 'é', '\u0000', '<?pi x?>', '<a b="1">',
  '</a>', '__proto__', 'constructor', '<!DOCTYPE x>',
);

describe('XML-RPC codec', () => {
  it('property: any value Python can marshal survives encode -> decode (as XML carries strings)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(xmlRpcValue, { maxLength: 4 }), (name, params) => {
        const call = readCall(encodeMethodCall(name, params));
        assert.ok(!(call instanceof OdooError), call instanceof OdooError ? call.message : '');
        assert.deepEqual(call.params, expectedOf(params));
        assert.equal(call.methodName, carried(name).trim());
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: any text, or any soup of XML-RPC pieces, is a call or an Odoo fault', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: xmlToken, maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (xml) => {
        readCall(xml);
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: any bytes, decoded as the route decodes them, are a call or an Odoo fault', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        readCall(Buffer.from(bytes).toString('utf8'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: nesting deeper than the cap is always the ValueError naming it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { minLength: 41, maxLength: 60 }), (cap, kinds) => {
        const open = kinds.map((isArray) => (isArray ? '<value><array><data>' : '<value><struct><member><name>k</name>')).join('');
        const close = [...kinds].reverse().map((isArray) => (isArray ? '</data></array></value>' : '</member></struct></value>')).join('');
        const fault = readCall(encodeMethodCall('m', []).replace('<params>\n', `<params><param>${open}<value>1</value>${close}</param>`), cap);
        assert.ok(fault instanceof OdooError && fault.kind === 'ValueError', String(fault));
        assert.match(fault.message, new RegExp(`nested deeper than ${cap} arrays/structs \\(the cap; setting ODOO_SIM_MAX_XMLRPC_DEPTH\\)`));
      }),
      { numRuns: 200 },
    );
  });

  it('hand-written hostile calls are faults (or read) in time linear in their size', () => {
    const call = (value: string): string =>
      `<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param><value>${value}</value></param></params></methodCall>`;
    const cases: Array<[string, string, RegExp | ((params: unknown[]) => void)]> = [
      ['an integer past 64 bits', call('<i8>99999999999999999999999999</i8>'), /ValueError: integer out of range/],
      ['an integer with a fraction', call('<int>1.5</int>'), /invalid literal for int\(\)/],
      ['an empty integer', call('<int></int>'), /invalid literal for int\(\)/],
      ['a boolean spelled out', call('<boolean>true</boolean>'), /bad boolean value/],
      ['a double that is no number', call('<double>1,5</double>'), /could not convert string to float/],
      ['a double in hexadecimal (Python reads no 0x)', call('<double>0x1F</double>'), /could not convert string to float: '0x1F'/],
      ['a double past the largest', call('<double>1e999</double>'), (p) => assert.deepEqual(p, [Infinity])],
      ['infinities and nan as Python writes them', call('<array><data><value><double>inf</double></value><value><double>-Infinity</double></value><value><double>nan</double></value></data></array>'), (p) => assert.deepEqual(p, [[Infinity, -Infinity, NaN]])],
      ['a date that is no date', call('<dateTime.iso8601>yesterday</dateTime.iso8601>'), /does not match format/],
      ['an unknown type', call('<decimal>1</decimal>'), /unknown XML-RPC tag 'decimal'/],
      ['a struct member without a name', call('<struct><member><value>1</value></member></struct>'), (p) => assert.deepEqual(p, [{}])],
      ['a __proto__ member', call('<struct><member><name>__proto__</name><value><struct><member><name>admin</name><value>1</value></member></struct></value></member></struct>'), (p) => assert.deepEqual(p, [{}])],
      ['an array without data', call('<array></array>'), (p) => assert.deepEqual(p, [[]])],
      ['a character reference past Unicode', call('<string>&#x110000;</string>'), /reference to invalid character number/],
      ['an undefined entity', call('<string>&lol;</string>'), /undefined entity &lol;/],
      ['an entity bomb', `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${call('&b;')}`, /DTDForbidden/],
      ['an unclosed call', call('<string>x').slice(0, -20), /ExpatError/],
      ['100,000 arrays (4 MB)', call(`${'<array><data><value>'.repeat(100_000)}1${'</value></data></array>'.repeat(100_000)}`), /nested deeper than 100 arrays\/structs/],
      ['1,000,000 unclosed arrays (7 MB)', call('<array><data>'.repeat(500_000)), /nested deeper than 100 arrays\/structs/],
      ['100,000 elements within each other', call(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`), /ExpatError: .*more than 316 elements/],
      ['a 5 MB string', call(`<string>${'x'.repeat(5_000_000)}</string>`), (p) => assert.equal((p[0] as string).length, 5_000_000)],
      ['200,000 values in one array (5 MB)', call(`<array><data>${'<value>1</value>'.repeat(200_000)}</data></array>`), (p) => assert.equal((p[0] as unknown[]).length, 200_000)],
      ['50,000 members in one struct', call(`<struct>${Array.from({ length: 50_000 }, (_, i) => `<member><name>k${i}</name><value>1</value></member>`).join('')}</struct>`), (p) => assert.equal(Object.keys(p[0] as object).length, 50_000)],
      ['500,000 character references', call(`<string>${'&#x41;'.repeat(500_000)}</string>`), (p) => assert.equal((p[0] as string).length, 500_000)],
    ];
    for (const [name, xml, expected] of cases) {
      let outcome: ReturnType<typeof readCall> | undefined;
      const budget = expected instanceof RegExp ? budgetMs(xml.length) : readBudgetMs(xml.length);
      const ms = leastCpuMs(() => {
        outcome = readCall(xml);
      }, budget);
      if (expected instanceof RegExp) {
        assert.ok(outcome instanceof OdooError, `${name}: a fault, got ${JSON.stringify(outcome).slice(0, 200)}`);
        assert.match(`${outcome.kind}: ${outcome.message}`, expected, name);
      } else {
        assert.ok(outcome && !(outcome instanceof OdooError), `${name}: ${String(outcome)}`);
        expected(outcome.params);
      }
      assert.ok(ms < budget, `${name}: ${ms.toFixed(0)} ms of CPU for ${xml.length} bytes (budget ${budget.toFixed(0)})`);
    }
  });
});

describe('JSON-RPC and JSON-2 bodies', () => {
  it('property: any JSON value survives toJson -> readJsonRpcEnvelope', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.oneof(fc.integer(), fc.string(), fc.constant(null)), (params, id) => {
        const reading = readJsonRpcEnvelope(toJson({ jsonrpc: '2.0', method: 'call', id, params }), maxJsonDepth);
        assert.ok(reading.ok, reading.ok ? '' : reading.message);
        assert.deepEqual(reading.envelope, JSON.parse(JSON.stringify({ jsonrpc: '2.0', method: 'call', id, params })));
      }),
      { numRuns: 1_000 },
    );
  });

  const jsonToken = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '1', '-', 'e', '.', 'true', 'null', ' ', '\n', '"a"', '\u0000', 'é', '\uFEFF', '__proto__', '1e999');

  it('property: any text is an envelope or a 400 with Odoo’s wording; deeper than the cap is the 400 naming it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: jsonToken, maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), fc.integer({ min: 1, max: 8 }), (text, cap) => {
        const reading = readJsonRpcEnvelope(text, cap);
        if (reading.ok) assert.ok(typeof reading.envelope === 'object' && !Array.isArray(reading.envelope));
        else assert.match(reading.message, /^Invalid JSON(-RPC)? data(: nested deeper than \d+ levels \(the cap; setting ODOO_SIM_MAX_JSON_DEPTH\))?$/);
        const json2 = (() => {
          try {
            return readJson2Body(text, cap);
          } catch (err) {
            return err;
          }
        })();
        if (json2 instanceof Error) assert.ok(json2 instanceof OdooError && json2.kind === 'BadRequest', String(json2));
        else assert.equal(typeof json2, 'object');
      }),
      { numRuns: 3_000 },
    );
  });

  it('hand-written hostile bodies: a 400 naming what is wrong, in time linear in their size', () => {
    const cases: Array<[string, string, RegExp | 'ok']> = [
      ['1 MB of [', `{"params":${'['.repeat(1_000_000)}`, /nested deeper than 64 levels/],
      ['65 objects', `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, /nested deeper than 64 levels/],
      ['brackets inside strings', JSON.stringify({ params: { x: '['.repeat(100_000) } }), 'ok'],
      ['escaped quotes before brackets', `{"params":{"x":"\\"${'['.repeat(1000)}"}}`, 'ok'],
      ['a number past the largest', '{"params":{"id":1e999}}', 'ok'],
      ['a top-level list', '[1, 2]', /^Invalid JSON-RPC data$/],
      ['a string', '"call"', /^Invalid JSON-RPC data$/],
      ['null', 'null', /^Invalid JSON-RPC data$/],
      ['a truncated body', '{"jsonrpc":', /^Invalid JSON data$/],
      ['a byte-order mark', '\uFEFF{}', /^Invalid JSON data$/],
      ['a 5 MB string', JSON.stringify({ params: { x: 'y'.repeat(5_000_000) } }), 'ok'],
      ['200,000 keys', `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":1`).join(',')}}`, 'ok'],
    ];
    for (const [name, text, expected] of cases) {
      let reading: ReturnType<typeof readJsonRpcEnvelope> | undefined;
      const ms = leastCpuMs(() => {
        reading = readJsonRpcEnvelope(text, maxJsonDepth);
      }, budgetMs(text.length));
      if (expected === 'ok') assert.ok(reading?.ok, name);
      else {
        assert.ok(reading && !reading.ok, name);
        assert.equal(reading.status, 400);
        assert.match(reading.message, expected, name);
      }
      assert.ok(ms < budgetMs(text.length), `${name}: ${ms.toFixed(0)} ms of CPU for ${text.length} bytes`);
    }
    const badRequest = (message: RegExp) => (e: unknown) => e instanceof OdooError && e.kind === 'BadRequest' && message.test(e.message);
    assert.throws(() => readJson2Body('{"domain":[[["id","=",1]]],"x":"}', maxJsonDepth), badRequest(/could not parse the body as json: Expecting value/));
    assert.throws(() => readJson2Body('[1]', maxJsonDepth), badRequest(/expecting a json object/));
    assert.throws(() => readJson2Body(`{"domain":${'['.repeat(65)}`, maxJsonDepth), badRequest(/nested deeper than 64 levels \(the cap; setting ODOO_SIM_MAX_JSON_DEPTH\)/));
    assert.deepEqual(readJson2Body('', maxJsonDepth), {});
  });
});
