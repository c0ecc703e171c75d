import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PartnerDirectory, PartnerProfileError, parsePartnerProfile } from '../../src/partners/partner-profile.js';
import { DEFAULT_PROFILE_LIMITS } from '../../src/partners/profile-limits.js';
import { PARTNERS_DIR } from '../support/x12-samples.js';

test('the sample partners load, with defaults applied', () => {
  const dir = PartnerDirectory.fromDirectory(PARTNERS_DIR);
  const nw = dir.get('northwind');
  const gx = dir.get('globex');
  assert.equal(nw?.version, '004010');
  assert.deepEqual(nw?.separators, { element: '*', segment: '~\n', component: '>', repetition: '{' });
  assert.equal(gx?.version, '005010');
  assert.deepEqual(gx?.separators, { element: '|', segment: '\n', component: '^', repetition: '{' });
  assert.equal(dir.bySender('01', '123456789      ')?.id, 'globex');
  assert.equal(dir.bySender('ZZ', 'NOBODY'), undefined);
});

const valid = `
id: acme
name: Acme
isa: { partnerQualifier: ZZ, partnerId: ACME, ourQualifier: ZZ, ourId: ODX }
gs: { partnerId: ACME, ourId: ODX }
version: "004010"
separators: { element: "*", segment: "~", component: ">" }
customer: { partyId: "7", name: Acme }
`;

test('a minimal profile is valid', () => {
  const p = parsePartnerProfile(valid, '/x/acme.yaml');
  assert.equal(p.acknowledgments.windowMinutes, 1440);
  assert.deepEqual(p.transactionSets.inbound, ['850', '997']);
});

const broken: Array<[string, string, RegExp]> = [
  ['a wrong version', valid.replace('"004010"', '"003040"'), /version: /],
  ['a two-character element separator', valid.replace('element: "*"', 'element: "**"'), /separators\.element: exactly one character/],
  ['equal separators', valid.replace('component: ">"', 'component: "*"'), /separators: .*must all differ/],
  ['a too long ISA id', valid.replace('partnerId: ACME, ourQualifier', 'partnerId: ACMEACMEACMEACME1, ourQualifier'), /isa\.partnerId/],
  ['a bad qualifier', valid.replace('partnerQualifier: ZZ', 'partnerQualifier: Z'), /isa\.partnerQualifier/],
  ['a missing customer', valid.replace(/customer:.*\n/, ''), /customer: /],
  ['an unknown transaction set', `${valid}transactionSets: { inbound: ["850", "999"] }\n`, /transactionSets\.inbound\.1/],
  [
    'a token given inline instead of an env name',
    `${valid}transport: { http: { inboundTokenEnv: "s3cr3t-token" } }\n`,
    /transport\.http\.inboundTokenEnv/,
  ],
  ['an id that does not match the file', valid.replace('id: acme', 'id: other'), /id: must match the file name/],
  ['YAML that does not parse', 'id: [unclosed', /\(file\): not valid YAML/],
];

for (const [what, text, expected] of broken) {
  test(`a profile with ${what} is refused, naming the file and field`, () => {
    assert.throws(
      () => parsePartnerProfile(text, '/x/acme.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof PartnerProfileError);
        assert.match(err.message, /invalid partner profile \/x\/acme\.yaml/);
        assert.match(err.message, expected);
        return true;
      },
    );
  });
}

test('a directory with a bad file fails listing every bad file; duplicate ISA ids are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edi-profiles-'));
  writeFileSync(join(dir, 'acme.yaml'), valid);
  writeFileSync(join(dir, 'bad.yaml'), 'id: bad\n');
  assert.throws(() => PartnerDirectory.fromDirectory(dir), /bad\.yaml[\s\S]*name/);
  const dir2 = mkdtempSync(join(tmpdir(), 'edi-profiles-'));
  writeFileSync(join(dir2, 'acme.yaml'), valid);
  writeFileSync(
    join(dir2, 'acme2.json'),
    JSON.stringify({
      id: 'acme2',
      name: 'A2',
      isa: { partnerQualifier: 'ZZ', partnerId: 'ACME', ourQualifier: 'ZZ', ourId: 'ODX' },
      gs: { partnerId: 'AC', ourId: 'ODX' },
      version: '005010',
      separators: { element: '|', segment: '\n', component: '^' },
      customer: { partyId: '8', name: 'A2' },
    }),
  );
  assert.throws(() => PartnerDirectory.fromDirectory(dir2), /both send as ISA ZZ\/ACME/);
});

const MAX_PROFILE_BYTES = DEFAULT_PROFILE_LIMITS.maxBytes;
const DEPTH_CAP = /nested deeper, over the cap of 16 levels of mappings and sequences within each other \(setting EDI_PARTNER_MAX_DEPTH\)/;

test('hostile nesting is refused before or right after parsing, naming the cap, in linear time', () => {
  const deepBlock = Array.from({ length: 700 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n';
  assert.ok(deepBlock.length <= MAX_PROFILE_BYTES, `${deepBlock.length}`);
  const hostile: Array<[string, string, string, RegExp]> = [
    // 10,000 levels of flow sequence aborted the whole process (yaml: out of memory), 1,000 overflowed the stack.
    ['100,000 [ in YAML', 'acme.yaml', `${valid}extra: ${'['.repeat(100_000)}`, DEPTH_CAP],
    ['10,000 { in YAML', 'acme.yaml', `${valid}extra: ${'{a: '.repeat(10_000)}`, DEPTH_CAP],
    ['brackets hidden behind a quote', 'acme.yaml', `${valid}# "\nextra: ${'['.repeat(10_000)}`, DEPTH_CAP],
    ['700 levels of block mappings', 'acme.yaml', deepBlock, DEPTH_CAP],
    ['17 flow levels', 'acme.yaml', `${valid}extra: ${'['.repeat(17)}${']'.repeat(17)}\n`, DEPTH_CAP],
    ['100,000 [ in JSON', 'acme.json', '['.repeat(100_000), DEPTH_CAP],
    [
      'a file over the size cap',
      'acme.yaml',
      `${valid}#${'x'.repeat(MAX_PROFILE_BYTES)}\n`,
      /262396 bytes, over the cap of 262144 bytes a profile may have \(setting EDI_PARTNER_MAX_BYTES\)/,
    ],
    [
      'aliases past the cap',
      'acme.yaml',
      `${valid}a: &a [1, 2]\nb: [${'*a, '.repeat(25)}]\n`,
      /25 aliases, over the cap of 20 aliases \(\*name\), expansions counted \(setting EDI_PARTNER_MAX_ALIASES\)/,
    ],
  ];
  for (const [name, file, text, message] of hostile) {
    const t0 = performance.now();
    assert.throws(
      () => parsePartnerProfile(text, `/x/${file}`),
      (err: unknown) => err instanceof PartnerProfileError && message.test(err.message),
      name,
    );
    assert.ok(performance.now() - t0 < 500, `${name}: ${(performance.now() - t0).toFixed(0)} ms`);
  }
  // Within the caps: 16 levels (the 15 brackets under the top-level mapping) and a few aliases load; unknown keys are ignored.
  const nested16 = `${valid}extra: ${'['.repeat(15)}${']'.repeat(15)}\nanchor: &a [1]\nuses: [*a, *a]\n`;
  assert.equal(parsePartnerProfile(nested16, '/x/acme.yaml').id, 'acme');
});
