// Property-based tests of the partner profile loader: whatever text or structure a file holds, loading it gives
// either a valid profile or a PartnerProfileError naming the file and what is wrong; never another error, a crash
// or a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { PartnerProfileError, parsePartnerProfile, type PartnerProfile } from '../../src/partners/partner-profile.js';
import { DEFAULT_PROFILE_LIMITS } from '../../src/partners/profile-limits.js';

/** The profile, or the PartnerProfileError; any other throw fails the property. */
function load(text: string, file = '/x/acme.yaml'): PartnerProfile | PartnerProfileError {
  try {
    return parsePartnerProfile(text, file);
  } catch (err) {
    if (err instanceof PartnerProfileError) {
      assert.ok(err.problems.length > 0, 'an error names at least one problem');
      assert.ok(err.message.startsWith(`invalid partner profile ${file}:`), err.message);
      return err;
    }
    throw err;
  }
}

/** The nesting depth of a plain value (objects and arrays). */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Pieces of YAML syntax, so random text hits the parser's corners (indicators, anchors, flow, directives, scalars). */
const yamlToken = fc.constantFrom(
  '- ',
  '? ',
  ': ',
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '!t ',
  '!!str ',
  '!!binary ',
  '!!set ',
  '<<: ',
  '#',
  '\n',
  '\r\n',
  '  ',
  '\t',
  '"',
  "'",
  '\\',
  '|',
  '>',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x:\n',
  'id',
  'acme',
  'name',
  'isa',
  'version',
  '"004010"',
  '1e999',
  '-0',
  '0x1F',
  '.nan',
  'null',
  '~',
  'true',
  '\u0000',
  'é',
  '\uFEFF',
);

test('property: any text, or any text of YAML syntax, loads as a profile or is refused with a PartnerProfileError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: yamlToken, maxLength: 400 })), (text) => {
      load(text);
      load(text, '/x/acme.json');
    }),
    { numRuns: 1_500 },
  );
});

test('property: any structure as YAML or JSON loads or is refused; deeper than the cap is refused naming the depth cap', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 24 }), fc.boolean(), (value, asJson) => {
      const text = asJson ? JSON.stringify(value) : toYaml(value, { aliasDuplicateObjects: false });
      const outcome = load(text, asJson ? '/x/acme.json' : '/x/acme.yaml');
      assert.ok(outcome instanceof PartnerProfileError, 'a random structure is never a whole profile');
      if (depthOf(value) > DEFAULT_PROFILE_LIMITS.maxDepth) assert.equal(outcome.cap?.cap, 'maxDepth', outcome.message);
      if (outcome.cap?.cap === 'maxDepth' && asJson) assert.ok(depthOf(value) > DEFAULT_PROFILE_LIMITS.maxDepth, 'JSON depth is exact');
    }),
    { numRuns: 400 },
  );
});

const letters = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${min},${max}}$`));
/** Profiles that satisfy the schema: ids, separators and mappings drawn at random. */
const validProfile = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}$/),
    name: fc.string({ minLength: 1, maxLength: 40 }),
    partnerId: letters(1, 15),
    gsId: letters(2, 15),
    version: fc.constantFrom('004010', '005010'),
    separators: fc.shuffledSubarray(['*', '|', '~', '>', '^', '{', '+', '!'], { minLength: 4, maxLength: 4 }),
    // "__proto__" is refused by the loader (tested below), so it is not a valid profile's code.
    items: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__'),
      fc.string({ minLength: 1, maxLength: 20 }),
      { maxKeys: 30 },
    ),
    windowMinutes: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((p) => ({
    id: p.id,
    name: p.name,
    isa: { partnerQualifier: 'ZZ', partnerId: p.partnerId, ourQualifier: 'ZZ', ourId: 'ODX' },
    gs: { partnerId: p.gsId, ourId: 'ODX' },
    version: p.version,
    separators: { element: p.separators[0], segment: p.separators[1], component: p.separators[2], repetition: p.separators[3] },
    customer: { partyId: '7', name: p.name },
    mappings: { items: p.items },
    acknowledgments: { windowMinutes: p.windowMinutes },
  }));

test('property: a valid profile written as YAML or JSON loads back with the same values', () => {
  fc.assert(
    fc.property(validProfile, fc.boolean(), (profile, asJson) => {
      const file = `/x/${profile.id}.${asJson ? 'json' : 'yaml'}`;
      const loaded = load(asJson ? JSON.stringify(profile) : toYaml(profile), file);
      assert.ok(!(loaded instanceof PartnerProfileError), loaded instanceof Error ? loaded.message : '');
      assert.equal(loaded.name, profile.name);
      assert.deepEqual(loaded.isa, { ...profile.isa, usageIndicator: 'P' });
      assert.deepEqual(loaded.separators, profile.separators);
      assert.deepEqual(Object.fromEntries(loaded.mappings.items), { ...profile.mappings.items });
      assert.equal(loaded.acknowledgments.windowMinutes, profile.acknowledgments.windowMinutes);
    }),
    { numRuns: 200 },
  );
});

test('property: a valid profile with one field replaced by any value loads, or is refused naming that field', () => {
  const fields = ['id', 'name', 'isa', 'gs', 'version', 'separators', 'customer', 'mappings', 'acknowledgments', 'orders', 'outbound'];
  fc.assert(
    fc.property(validProfile, fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 4 }), (profile, field, value) => {
      const loaded = load(toYaml({ ...profile, [field]: value }), `/x/${profile.id}.yaml`);
      if (loaded instanceof PartnerProfileError)
        assert.ok(
          loaded.problems.some((p) => p.field === field || p.field.startsWith(`${field}.`)) ||
            // A "__proto__" key anywhere refuses the whole file, naming the key (the test below).
            (JSON.stringify(value).includes('"__proto__"') && loaded.message.includes('the key "__proto__"')),
          `${field}: ${loaded.message}`,
        );
    }),
    { numRuns: 400 },
  );
});

test('a code "__proto__" (which a plain object cannot hold as a key) is refused in YAML and JSON, never silently dropped', () => {
  const yaml = 'id: acme\nmappings:\n  items:\n    __proto__: SKU-1\n';
  const fromYaml = load(yaml, '/x/acme.yaml');
  assert.ok(fromYaml instanceof PartnerProfileError);
  assert.match(fromYaml.message, /the key "__proto__", which cannot name a code or a setting/);
  const fromJson = load('{"id":"acme","mappings":{"uom":{"__proto__":"CS"}}}', '/x/acme.json');
  assert.ok(fromJson instanceof PartnerProfileError);
  assert.match(fromJson.message, /not valid JSON: the key "__proto__"/);
});
