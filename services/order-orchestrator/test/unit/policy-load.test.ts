import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { DEFAULT_POLICY_DIR, loadOrchestratorPolicy, PolicyFileError, SLA_STEPS, slaFor } from '../../src/policy/index.js';
import { BASE_ALLOCATION, BASE_CREDIT, BASE_SLA, problemsOf } from './policy-support.js';

const withSla = (patch: (s: typeof BASE_SLA) => unknown): string => stringify(patch(structuredClone(BASE_SLA)));

describe('policy files: the defaults in infra/orchestrator', () => {
  it('load, and hold what their comments say', () => {
    const policy = loadOrchestratorPolicy(DEFAULT_POLICY_DIR);
    assert.equal(slaFor('carrier-booking', {}, policy), 30 * 60_000);
    assert.equal(slaFor('carrier-booking', { customerId: 'C00002', carrierCode: 'DHL Freight' }, policy), 15 * 60_000);
    assert.equal(slaFor('pick-pack', { warehouseCode: 'WH2' }, policy), 6 * 3_600_000);
    assert.equal(policy.credit.currency, 'USD');
    assert.deepEqual(policy.allocation.warehouses, ['WH', 'WH2']);
    for (const step of SLA_STEPS) assert.ok(slaFor(step, {}, policy) > 0, step);
  });
});

describe('policy files: every error names the file and the field', () => {
  it('a duration that is not one: the example of the issue', () => {
    const lines = problemsOf({ sla: withSla((s) => ({ ...s, steps: { ...s.steps, 'carrier-booking': { default: 'soon' } } })) });
    assert.equal(lines?.length, 1);
    assert.match(lines![0]!, /^infra\/orchestrator\/sla\.yaml: steps\.carrier-booking\.default: expected a duration like 30m/);
  });

  it('negative, zero, huge and unit-less durations; a bare number', () => {
    for (const [value, message] of [
      ['-5m', /expected a duration like 30m/],
      ['0s', /must be longer than 0/],
      ['91d', /must be at most 90d/],
      ['999999999h', /must be at most 90d/],
      ['99999999999999999999999h', /expected a duration like 30m/],
      ['30', /expected a duration like 30m/],
      ['30 m', /expected a duration like 30m/],
      ['1.5h', /expected a duration like 30m/],
    ] as const) {
      const lines = problemsOf({
        sla: withSla((s) => ({ ...s, steps: { ...s.steps, delivery: { default: '5d', carriers: { UPS: value } } } })),
      });
      assert.equal(lines?.length, 1, value);
      assert.match(lines![0]!, /^infra\/orchestrator\/sla\.yaml: steps\.delivery\.carriers\.UPS: /, value);
      assert.match(lines![0]!, message, value);
    }
    const bare = problemsOf({ sla: 'steps:\n' + SLA_STEPS.map((s) => `  ${s}:\n    default: ${s === 'payment' ? 30 : '5m'}\n`).join('') });
    assert.deepEqual(bare, [
      'infra/orchestrator/sla.yaml: steps.payment.default: expected a duration like 30m (a string: 90s, 30m, 4h, 1d)',
    ]);
  });

  it('unknown keys, listing the keys that are allowed there; missing steps', () => {
    const lines = problemsOf({
      sla: withSla((s) => {
        const { payment: _payment, ...steps } = s.steps;
        return { steps: { ...steps, 'carier-booking': { default: '5m' }, dispatch: { default: '8h', customer: { C1: '1h' } } }, extra: 1 };
      }),
    });
    assert.deepEqual(lines?.sort(), [
      'infra/orchestrator/sla.yaml: extra: unknown key; expected one of steps',
      'infra/orchestrator/sla.yaml: steps.carier-booking: unknown key; expected one of credit, allocation, release, pick-pack, carrier-booking, dispatch, delivery, invoice, payment',
      'infra/orchestrator/sla.yaml: steps.dispatch.customer: unknown key; expected one of default, customers, partners, carriers, warehouses',
      'infra/orchestrator/sla.yaml: steps.payment: required',
    ]);
  });

  it('credit: amounts as strings, not negative, not too precise or too large; the rules named', () => {
    const credit = (patch: object): string[] | null => problemsOf({ credit: stringify({ ...BASE_CREDIT, ...patch }) });
    assert.deepEqual(credit({ approveBelow: 250 }), [
      'infra/orchestrator/credit.yaml: approveBelow: expected a decimal amount as a string, e.g. "500.00" (quote it: YAML reads bare numbers as floats)',
    ]);
    assert.deepEqual(credit({ approveBelow: '-1.00' }), [
      'infra/orchestrator/credit.yaml: approveBelow: must not be negative, got "-1.00"',
    ]);
    assert.match(credit({ approveBelow: '0.00001' })![0]!, /^infra\/orchestrator\/credit\.yaml: approveBelow: .*at most 4 fit/);
    assert.match(credit({ approveBelow: '1'.repeat(30) })![0]!, /^infra\/orchestrator\/credit\.yaml: approveBelow: .*precision is 18/);
    assert.match(credit({ approveBelow: '1e5' })![0]!, /approveBelow: "1e5" is not a plain decimal string/);
    assert.deepEqual(credit({ withoutLimit: 'maybe', currency: 'usd', autoApproveCustomers: [' C1'] }), [
      'infra/orchestrator/credit.yaml: currency: an ISO 4217 currency code, e.g. USD',
      'infra/orchestrator/credit.yaml: autoApproveCustomers[0]: a customer code of 1 to 64 characters without leading or trailing spaces',
      'infra/orchestrator/credit.yaml: withoutLimit: expected approve or hold',
    ]);
  });

  it('allocation: warehouses listed once, a preferred warehouse among them, booleans', () => {
    const lines = problemsOf({
      allocation: stringify({ warehouses: ['WH', 'WH'], split: 'yes', customers: { C00003: { preferredWarehouse: 'WH9', split: 1 } } }),
    });
    assert.deepEqual(lines, [
      'infra/orchestrator/allocation.yaml: split: expected true or false',
      'infra/orchestrator/allocation.yaml: customers.C00003.split: expected true or false',
    ]);
    assert.deepEqual(
      problemsOf({
        allocation: stringify({ warehouses: ['WH', 'WH'], split: false, customers: { C00003: { preferredWarehouse: 'WH9' } } }),
      }),
      [
        'infra/orchestrator/allocation.yaml: warehouses[1]: WH is listed twice',
        'infra/orchestrator/allocation.yaml: customers.C00003.preferredWarehouse: WH9 is not one of warehouses (WH, WH)',
      ],
    );
    assert.deepEqual(problemsOf({ allocation: stringify({ warehouses: [], split: false }) }), [
      'infra/orchestrator/allocation.yaml: warehouses: list at least one warehouse',
    ]);
  });

  it('bad YAML, empty files, a document that is not a mapping, alias bombs, duplicate keys; problems of all files at once', () => {
    const lines = problemsOf({ sla: 'steps: [unclosed', credit: '', allocation: '# only a comment\n' });
    assert.equal(lines?.length, 3);
    assert.match(lines![0]!, /^infra\/orchestrator\/sla\.yaml: \(file\): not valid YAML: /);
    assert.equal(
      lines![1],
      'infra/orchestrator/credit.yaml: (file): is empty; expected the credit policy (see the comments in infra/orchestrator/credit.yaml)',
    );
    assert.match(lines![2]!, /^infra\/orchestrator\/allocation\.yaml: \(file\): is empty/);
    assert.deepEqual(problemsOf({ credit: '- a\n- b\n' }), [
      'infra/orchestrator/credit.yaml: (root): expected a mapping (key: value), got a list',
    ]);
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 9 }, (_, i) => `${'bcdefghij'[i]}: &${'bcdefghij'[i]} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    ].join('\n');
    assert.match(problemsOf({ credit: bomb })![0]!, /^infra\/orchestrator\/credit\.yaml: \(file\): not valid YAML: .*(alias|Alias)/);
    assert.match(problemsOf({ credit: 'currency: USD\ncurrency: EUR\n' })![0]!, /credit\.yaml: \(file\): not valid YAML: .*unique/i);
    assert.match(problemsOf({ credit: 'x'.repeat(1024 * 1024 + 1) })![0]!, /credit\.yaml: \(file\): longer than/);
  });

  it('no input makes the loader throw anything but a PolicyFileError, or accept a file the schema refuses', () => {
    const anyYaml = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => stringify(v)),
      fc.constantFrom('', '~', '---\n...', '{', '- - -', '!!binary x'),
    );
    fc.assert(
      fc.property(anyYaml, fc.constantFrom('sla', 'credit', 'allocation'), (text, part) => {
        const lines = problemsOf({ [part]: text });
        if (lines === null) return; // a valid file (e.g. the generator produced one): fine
        for (const l of lines) assert.match(l, new RegExp(`^infra/orchestrator/${part}\\.yaml: (\\(file\\)|\\(root\\)|[\\w[-]).*: \\S`), l);
      }),
      { numRuns: 300 },
    );
  });

  it('a directory: missing files are named, and the files that were read are still checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'odx-policy-'));
    try {
      writeFileSync(join(dir, 'sla.yaml'), stringify(BASE_SLA));
      writeFileSync(join(dir, 'credit.yaml'), stringify({ ...BASE_CREDIT, approveBelow: 1 }));
      assert.throws(
        () => loadOrchestratorPolicy(dir),
        (err: unknown) => {
          assert.ok(err instanceof PolicyFileError);
          assert.equal(err.kind, 'permanent');
          assert.deepEqual(
            err.problems.map((p) => [
              p.file.endsWith('allocation.yaml') || p.file.endsWith('credit.yaml'),
              p.field,
              p.message.slice(0, 30),
            ]),
            [
              [true, '(file)', 'not found'],
              [true, 'approveBelow', 'expected a decimal amount as a'],
            ],
          );
          return true;
        },
      );
      writeFileSync(join(dir, 'credit.yaml'), stringify(BASE_CREDIT));
      writeFileSync(join(dir, 'allocation.yaml'), stringify(BASE_ALLOCATION));
      assert.equal(loadOrchestratorPolicy(dir).allocation.split, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
