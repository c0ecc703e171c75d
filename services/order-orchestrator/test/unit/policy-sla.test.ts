import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDuration, MAX_DURATION_MS, parseDuration, SLA_STEPS, slaFor, type SlaContext } from '../../src/policy/index.js';
import { BASE_SLA, policyOf } from './policy-support.js';

const DIMS = ['customers', 'partners', 'carriers', 'warehouses'] as const;
const FIELD = { customers: 'customerId', partners: 'partnerId', carriers: 'carrierCode', warehouses: 'warehouseCode' } as const;

describe('slaFor', () => {
  const policy = policyOf({
    sla: {
      steps: {
        ...BASE_SLA.steps,
        'carrier-booking': {
          default: '30m',
          customers: { C00002: '15m' },
          partners: { globex: '20m' },
          carriers: { 'DHL Freight': '2h' },
          warehouses: { WH2: '45m' },
        },
      },
    },
  });

  it('the most specific override wins: customer, partner, carrier, warehouse, then the default', () => {
    const all: SlaContext = { customerId: 'C00002', partnerId: 'globex', carrierCode: 'DHL Freight', warehouseCode: 'WH2' };
    assert.equal(slaFor('carrier-booking', all, policy), 15 * 60_000);
    assert.equal(slaFor('carrier-booking', { ...all, customerId: 'C00009' }, policy), 20 * 60_000);
    assert.equal(slaFor('carrier-booking', { ...all, customerId: null, partnerId: null }, policy), 2 * 3_600_000);
    assert.equal(slaFor('carrier-booking', { warehouseCode: 'WH2', carrierCode: 'UPS Ground' }, policy), 45 * 60_000);
    assert.equal(slaFor('carrier-booking', {}, policy), 30 * 60_000);
    assert.equal(slaFor('dispatch', all, policy), 8 * 3_600_000, 'overrides are per step');
  });

  it('an unknown step is a PolicyInputError, not undefined', () => {
    // @ts-expect-error: a step name from outside the type system
    assert.throws(() => slaFor('packing', {}, policy), { name: 'PolicyInputError', errorClass: 'policy.invalid-input' });
  });

  it('property: the result is the override of the first dimension (in precedence order) that has the context key, else the default', () => {
    const key = fc.constantFrom('A', 'B', 'C');
    const minutes = fc.integer({ min: 1, max: 600 });
    const overrides = fc.record({
      customers: fc.dictionary(key, minutes),
      partners: fc.dictionary(key, minutes),
      carriers: fc.dictionary(key, minutes),
      warehouses: fc.dictionary(key, minutes),
    });
    const ctx = fc.record({
      customerId: fc.option(key),
      partnerId: fc.option(key),
      carrierCode: fc.option(key),
      warehouseCode: fc.option(key),
    });
    fc.assert(
      fc.property(fc.constantFrom(...SLA_STEPS), minutes, overrides, ctx, (step, def, o, c) => {
        const asText = (d: Record<string, number>): Record<string, string> =>
          Object.fromEntries(Object.entries(d).map(([k, m]) => [k, `${m}m`]));
        const p = policyOf({
          sla: {
            steps: {
              ...BASE_SLA.steps,
              [step]: {
                default: `${def}m`,
                customers: asText(o.customers),
                partners: asText(o.partners),
                carriers: asText(o.carriers),
                warehouses: asText(o.warehouses),
              },
            },
          },
        });
        let expected = def;
        for (const dim of DIMS) {
          const k = c[FIELD[dim]];
          if (k !== null && o[dim][k] !== undefined) {
            expected = o[dim][k];
            break;
          }
        }
        assert.equal(slaFor(step, c, p), expected * 60_000);
      }),
      { numRuns: 200 },
    );
  });
});

describe('durations', () => {
  it('read the units ms, s, m, h, d and their sums', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('4h'), 14_400_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('90d'), MAX_DURATION_MS);
    assert.deepEqual(parseDuration('90d1ms'), { problem: 'must be at most 90d, got "90d1ms"' });
  });

  it('property: formatDuration and parseDuration round-trip every duration the files allow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS }), (ms) => {
        assert.equal(parseDuration(formatDuration(ms)), ms);
      }),
    );
  });

  it('property: any other text gives a problem, never a number out of range or an exception', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parseDuration(text);
        if (typeof r === 'number') assert.ok(r > 0 && r <= MAX_DURATION_MS && Number.isInteger(r), text);
        else assert.equal(typeof r.problem, 'string');
      }),
    );
  });
});
