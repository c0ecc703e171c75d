// The caps on a partner profile file are settings; a file over one is refused naming the cap and its setting,
// and hostile YAML (nesting, alias bombs, the yaml library's quadratic corners) is refused in linear time.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '@odx/runtime';
import { loadGatewayConfig } from '../../src/config.js';
import { PartnerDirectory, PartnerProfileError, parsePartnerProfile } from '../../src/partners/partner-profile.js';
import { DEFAULT_PROFILE_LIMITS, type ProfileLimits } from '../../src/partners/profile-limits.js';

const valid = `id: acme
name: Acme
isa: { partnerQualifier: ZZ, partnerId: ACME, ourQualifier: ZZ, ourId: ODX }
gs: { partnerId: ACME, ourId: ODX }
version: "004010"
separators: { element: "*", segment: "~", component: ">" }
customer: { partyId: "7", name: Acme }
`;

/** The PartnerProfileError `fn` throws (fails the test on anything else). */
function refusal(fn: () => unknown): PartnerProfileError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PartnerProfileError, `a PartnerProfileError, got ${String(err)}`);
    return err;
  }
  assert.fail('the profile was accepted');
}

test('config: the profile caps default to 256 KB, 16 levels and 20 aliases, are read from EDI_PARTNER_MAX_*, and bad values name the variable', () => {
  assert.deepEqual(loadGatewayConfig({}).partnerLimits, { maxBytes: 262_144, maxDepth: 16, maxAliases: 20 });
  assert.deepEqual(
    loadGatewayConfig({ EDI_PARTNER_MAX_BYTES: '4096', EDI_PARTNER_MAX_DEPTH: '8', EDI_PARTNER_MAX_ALIASES: '0' }).partnerLimits,
    { maxBytes: 4096, maxDepth: 8, maxAliases: 0 },
  );
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ EDI_PARTNER_MAX_BYTES: '0' }, /EDI_PARTNER_MAX_BYTES/],
    [{ EDI_PARTNER_MAX_BYTES: '20000000' }, /EDI_PARTNER_MAX_BYTES: at most 16777216/],
    [{ EDI_PARTNER_MAX_DEPTH: '3' }, /EDI_PARTNER_MAX_DEPTH: at least 4/],
    [{ EDI_PARTNER_MAX_DEPTH: '1000' }, /EDI_PARTNER_MAX_DEPTH: at most 128/],
    [{ EDI_PARTNER_MAX_DEPTH: 'deep' }, /EDI_PARTNER_MAX_DEPTH/],
    [{ EDI_PARTNER_MAX_ALIASES: '-1' }, /EDI_PARTNER_MAX_ALIASES/],
    [{ EDI_PARTNER_MAX_ALIASES: '1.5' }, /EDI_PARTNER_MAX_ALIASES/],
  ];
  for (const [env, message] of bad) {
    assert.throws(
      () => loadGatewayConfig(env),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      JSON.stringify(env),
    );
  }
});

test('each cap is the setting given: a file over it names the cap, its limit and its setting', () => {
  const small: ProfileLimits = { maxBytes: 400, maxDepth: 5, maxAliases: 1 };
  assert.equal(parsePartnerProfile(valid, '/x/acme.yaml', small).id, 'acme', 'the minimal profile is within the small caps');
  const cases: Array<[string, string, keyof ProfileLimits, RegExp]> = [
    [
      'bytes',
      `${valid}# ${'x'.repeat(200)}\n`,
      'maxBytes',
      /\d+ bytes, over the cap of 400 bytes a profile may have \(setting EDI_PARTNER_MAX_BYTES\)/,
    ],
    [
      'flow depth',
      `${valid}x: [[[[[1]]]]]\n`,
      'maxDepth',
      /nested deeper, over the cap of 5 levels of mappings and sequences within each other \(setting EDI_PARTNER_MAX_DEPTH\)/,
    ],
    ['block depth', `${valid}x:\n - - - - - 1\n`, 'maxDepth', /nested deeper, over the cap of 5 levels/],
    [
      'aliases',
      `${valid}a: &a 1\nb: [*a, *a]\n`,
      'maxAliases',
      /2 aliases, over the cap of 1 aliases \(\*name\), expansions counted \(setting EDI_PARTNER_MAX_ALIASES\)/,
    ],
  ];
  for (const [what, text, cap, message] of cases) {
    const err = refusal(() => parsePartnerProfile(text, '/x/acme.yaml', small));
    assert.match(err.message, message, what);
    assert.deepEqual(err.cap, {
      cap,
      limit: small[cap],
      setting: `EDI_PARTNER_MAX_${{ maxBytes: 'BYTES', maxDepth: 'DEPTH', maxAliases: 'ALIASES' }[cap]}`,
    });
    // The same text within the default caps is not refused for size, nesting or aliases.
    assert.equal(parsePartnerProfile(text, '/x/acme.yaml').id, 'acme', `${what} within the defaults`);
  }
  const json = JSON.stringify({ ...JSON.parse(JSON.stringify({ id: 'acme' })), x: [[[[[1]]]]] });
  assert.equal(refusal(() => parsePartnerProfile(json, '/x/acme.json', small)).cap?.cap, 'maxDepth', 'JSON profiles too');
  assert.equal(
    refusal(() => parsePartnerProfile(valid.replace('Acme\n', '*n\n'), '/x/acme.yaml', { ...small, maxAliases: 0 })).cap?.cap,
    'maxAliases',
  );
});

test('a directory loads with the caps given; a file over the byte cap is refused from its size, before it is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edi-profile-caps-'));
  writeFileSync(join(dir, 'acme.yaml'), valid);
  assert.equal(PartnerDirectory.fromDirectory(dir, DEFAULT_PROFILE_LIMITS).get('acme')?.name, 'Acme');
  assert.throws(
    () => PartnerDirectory.fromDirectory(dir, { ...DEFAULT_PROFILE_LIMITS, maxBytes: 100 }),
    /acme\.yaml:\n {2}- \(file\): \d+ bytes, over the cap of 100 bytes a profile may have \(setting EDI_PARTNER_MAX_BYTES\)/,
  );
});

/** CPU time of `fn` (user + system): the machine is shared, and a loaded one stretches wall time severalfold. */
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

/**
 * 100 ms plus 20 µs per byte: the yaml library reads hostile text at up to ~9 µs of CPU per byte on this 2-core
 * machine under a load of 18 (anchors between dashes, 256 KB: 2.3 s); a quadratic corner at the cap takes 30 s and more.
 */
const budgetMs = (bytes: number): number => 100 + bytes * 0.02;

const CAP = DEFAULT_PROFILE_LIMITS.maxBytes - valid.length - 16;
/** `unit` repeated to fill the rest of a profile at the byte cap. */
const fill = (unit: string): string => unit.repeat(Math.floor(CAP / unit.length));

test('hostile YAML at the byte cap is refused (or read) in time linear in its size, never a crash', () => {
  const depth = /nested deeper, over the cap of 16 levels/;
  const hostile: Array<[string, string, RegExp | 'loads']> = [
    // Each of these aborted the process or overflowed the stack in the yaml library before the text checks.
    ['125,000 compact sequences (- - - ...)', `${valid}x:\n${fill('- ')}1\n`, depth],
    ['125,000 explicit keys (? ? ? ...)', `${valid}${fill('? ')}x\n`, depth],
    [
      'compact sequences behind a document marker',
      `--- ${fill('- ')}1\n`,
      /not valid YAML: Block collection cannot start on same line with directives-end marker/,
    ],
    ['compact sequences behind a tab', `${valid}\t${fill('- ')}1\n`, depth],
    [
      'compact sequences with anchors and tags between',
      `${valid}x:\n${fill('- &a !t ')}1\n`,
      /not valid YAML: Missing newline after block sequence props/,
    ],
    ['700 levels of indentation', Array.from({ length: 700 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n', depth],
    ['17 levels of flow within block', `${valid}x:\n  - ${'['.repeat(15)}${']'.repeat(15)}\n`, depth],
    // Quadratic in the yaml library's defaults: 62,500 errors quoting one 250 KB line (37 s), 25,000 keys (5.7 s).
    ['62,500 quoted scalars on one line', `${valid}x: ${fill('"a" ')}\n`, /not valid YAML: .*at line 8, column/],
    ['24,000 keys in one mapping', `${valid}${Array.from({ length: 24_000 }, (_, i) => `k${i}: v`).join('\n')}\n`, 'loads'],
    ['a key repeated', `${valid}${'k: v\n'.repeat(50_000)}`, /not valid YAML: the key "k" twice in one mapping/],
    ['anchors between dashes after a key', `${valid}x: ${fill('- &a ')}1\n`, /not valid YAML: /],
    ['nested compact mappings', `${valid}x: ${fill('a: ')}1\n`, depth],
    ['newlines', `${valid}${fill('\n')}`, 'loads'],
    ['comments', `${valid}${fill('# [{\n')}`, /nested deeper/],
    ['10,000 anchors', `${valid}${Array.from({ length: 10_000 }, (_, i) => `a${i}: &a${i} 1`).join('\n')}\nz: *a1\n`, 'loads'],
    // Billion laughs: 18 aliases, each naming nine of the level before.
    [
      'billion laughs',
      `${valid}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n`,
      /aliases naming aliases expand further, over the cap of 20 aliases .*\(setting EDI_PARTNER_MAX_ALIASES\)/,
    ],
    ['1,000 aliases of one anchor', `${valid}a: &a x\nb: [${'*a, '.repeat(1_000)}]\n`, /1000 aliases, over the cap of 20/],
    [
      'an alias as a merge key in YAML 1.1',
      `%YAML 1.1\n---\n${valid}m: &m {a: 1}\nn: {<<: *m}\ns: !!set {a, b}\nb: !!binary aGVsbG8=\n`,
      'loads',
    ],
    ['an unresolved alias', `${valid}x: *nowhere\n`, /not valid YAML: .*nowhere/],
    ['a mapping as a key', `${valid}? [a, b]\n: 1\n`, /not valid YAML: a mapping key that is itself a mapping or sequence/],
    ['two documents', `${valid}---\n${valid}`, /not valid YAML: more than one document \(a second "---" at line 8, column 1\)/],
    ['control characters in keys the schema ignores', `${valid}x: "\u0000\u0007"\ny: \u0001\n`, 'loads'],
    ['a control character as the name', valid.replace('name: Acme', 'name: "\\0"'), 'loads'],
  ];
  for (const [name, text, expected] of hostile) {
    assert.ok(Buffer.byteLength(text) <= DEFAULT_PROFILE_LIMITS.maxBytes, `${name}: within the byte cap (${text.length})`);
    let outcome: unknown;
    const ms = leastCpuMs(() => {
      try {
        outcome = parsePartnerProfile(text, '/x/acme.yaml');
      } catch (err) {
        outcome = err;
      }
    }, budgetMs(text.length));
    if (expected === 'loads') assert.equal((outcome as { id?: string }).id, 'acme', `${name}: ${String(outcome)}`);
    else {
      assert.ok(outcome instanceof PartnerProfileError, `${name}: ${String(outcome)}`);
      assert.match(outcome.message, expected, name);
    }
    assert.ok(
      ms < budgetMs(text.length),
      `${name}: ${ms.toFixed(0)} ms of CPU for ${text.length} bytes (budget ${budgetMs(text.length).toFixed(0)})`,
    );
  }
});

test('wrong types and huge numbers are validation errors naming the field', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'a huge number as the party id',
      valid.replace('partyId: "7"', `partyId: 1${'0'.repeat(400)}`),
      /customer\.partyId: .*expected string/,
    ],
    ['an infinite window', `${valid}acknowledgments: { windowMinutes: 1e999 }\n`, /acknowledgments\.windowMinutes/],
    ['a list as the name', valid.replace('name: Acme', 'name: [A, c, m, e]'), /name: .*expected string/],
    ['a string as the mappings', `${valid}mappings: items\n`, /mappings: /],
    ['a number as a separator', valid.replace('element: "*"', 'element: 7'), /separators\.element/],
    ['a sequence at the top', '- 1\n- 2\n', /\(root\): .*expected object/],
    ['an empty file', '', /\(root\): .*expected object/],
    ['null items', `${valid}mappings: { items: { "0001": null } }\n`, /mappings\.items\.0001/],
  ];
  for (const [what, text, message] of cases) assert.match(refusal(() => parsePartnerProfile(text, '/x/acme.yaml')).message, message, what);
});
