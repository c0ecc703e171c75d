import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { creditFactsNeeded, decideCredit, type CreditInput } from '../../src/policy/index.js';
import { BASE_CREDIT, policyOf } from './policy-support.js';

const policy = policyOf({ credit: { ...BASE_CREDIT, approveBelow: '250.00', autoApproveCustomers: ['C00001'], withoutLimit: 'approve' } });
const order = (over: Partial<CreditInput>): CreditInput => ({
  customerId: 'C90001',
  orderTotal: '2000.00',
  openReceivables: '3220.00',
  creditLimit: '5000.00',
  ...over,
});

describe('decideCredit', () => {
  it('holds the demo customer: 3,220.00 owed + 2,000.00 over a 5,000.00 limit', () => {
    assert.deepEqual(decideCredit(order({}), policy), {
      decision: 'hold',
      rule: 'over-credit-limit',
      detail: 'open receivables 3220.00 USD + order 2000.00 USD = 5220.00 USD exceeds the credit limit 5000.00 USD by 220.00 USD',
    });
  });

  it('equal to the limit is within it; one ten-thousandth above is not (exact, no floats)', () => {
    assert.equal(decideCredit(order({ orderTotal: '1780.00' }), policy).rule, 'within-credit-limit');
    assert.equal(decideCredit(order({ orderTotal: '1780.0001' }), policy).rule, 'over-credit-limit');
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; exactly 0.3 here.
    assert.equal(decideCredit(order({ orderTotal: '250.2', openReceivables: '0.1', creditLimit: '250.3' }), policy).decision, 'approve');
  });

  it('rules in order: listed customers, another currency, the threshold, no limit', () => {
    assert.equal(decideCredit(order({ customerId: 'C00001', orderTotal: '999999.00' }), policy).rule, 'auto-approved-customer');
    assert.deepEqual(decideCredit(order({ orderTotal: '249.99' }), policy), {
      decision: 'approve',
      rule: 'below-threshold',
      detail: 'order total 249.99 USD is under the approval threshold 250.00 USD',
    });
    assert.equal(
      decideCredit(order({ orderTotal: '250.00', creditLimit: '100.00', openReceivables: '0' }), policy).rule,
      'over-credit-limit',
    );
    assert.deepEqual(
      [decideCredit(order({ currency: 'EUR' }), policy).decision, decideCredit(order({ currency: 'EUR' }), policy).rule],
      ['hold', 'other-currency'],
    );
    assert.equal(decideCredit(order({ currency: 'USD', orderTotal: '1.00', creditLimit: null }), policy).rule, 'below-threshold');
    assert.equal(
      decideCredit(order({ currency: 'EUR', orderTotal: '1.00' }), policy).rule,
      'other-currency',
      'the threshold is in USD too',
    );
    assert.equal(decideCredit(order({ currency: 'EUR', customerId: 'C00001' }), policy).rule, 'auto-approved-customer');
    for (const creditLimit of [null, '0', '0.0000']) {
      assert.deepEqual(decideCredit(order({ creditLimit }), policy).rule, 'no-credit-limit');
      assert.equal(decideCredit(order({ creditLimit }), policy).decision, 'approve');
    }
    const strict = policyOf({ credit: { ...BASE_CREDIT, withoutLimit: 'hold', approveBelow: '0' } });
    assert.equal(decideCredit(order({ creditLimit: null, orderTotal: '0.01' }), strict).decision, 'hold');
    assert.equal(decideCredit(order({ orderTotal: '0', creditLimit: '1', openReceivables: '1' }), strict).decision, 'approve');
  });

  it('creditFactsNeeded: false exactly when a rule that reads neither limit nor receivables decides', () => {
    assert.equal(creditFactsNeeded({ customerId: 'C00001', orderTotal: '9999.00', currency: 'USD' }, policy), false);
    assert.equal(creditFactsNeeded({ customerId: 'C90001', orderTotal: '10.00', currency: 'USD' }, policy), false);
    assert.equal(creditFactsNeeded({ customerId: 'C90001', orderTotal: '10.00', currency: 'EUR' }, policy), false);
    assert.equal(creditFactsNeeded({ customerId: 'C90001', orderTotal: '250.00', currency: null }, policy), true);
    const amounts = fc.constantFrom('0', '249.99', '250.00', '1000000.00', '3220.00', '-5.00', '5000.00');
    fc.assert(
      fc.property(
        fc.constantFrom('C00001', 'C90001'),
        amounts,
        fc.constantFrom(null, 'USD', 'EUR'),
        amounts,
        amounts,
        (customerId, orderTotal, currency, a, b) => {
          if (creditFactsNeeded({ customerId, orderTotal, currency }, policy)) return;
          const facts = (openReceivables: string, creditLimit: string | null): CreditInput => ({
            customerId,
            orderTotal,
            currency,
            openReceivables,
            creditLimit,
          });
          assert.deepEqual(decideCredit(facts(a, b), policy), decideCredit(facts(b, null), policy));
        },
      ),
    );
  });

  it('a customer in credit (negative receivables) has more room', () => {
    assert.equal(decideCredit(order({ openReceivables: '-500.00', orderTotal: '5500.00' }), policy).decision, 'approve');
  });

  it('amounts that are not decimal strings are a PolicyInputError naming the input', () => {
    for (const bad of ['', '1e3', '12,50', 'NaN', ' 5', '1.00001']) {
      assert.throws(
        () => decideCredit(order({ orderTotal: bad }), policy),
        (err: unknown) => {
          assert.ok(err instanceof Error && err.name === 'PolicyInputError', String(err));
          assert.match(err.message, /^decideCredit orderTotal: /);
          return true;
        },
      );
    }
    assert.throws(() => decideCredit(order({ creditLimit: 'unlimited' }), policy), /decideCredit creditLimit/);
  });

  const cents = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((c) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`);

  it('property: above the threshold, the decision is hold exactly when receivables + total > limit (BigInt arithmetic agrees)', () => {
    const p = policyOf({ credit: { ...BASE_CREDIT, approveBelow: '0', autoApproveCustomers: [] } });
    fc.assert(
      fc.property(
        cents,
        cents,
        cents.filter((c) => c !== '0.00'),
        (total, open, limit) => {
          const d = decideCredit({ customerId: 'X', orderTotal: total, openReceivables: open, creditLimit: limit }, p);
          const u = (s: string): bigint => BigInt(s.replace('.', ''));
          assert.equal(d.decision, u(open) + u(total) > u(limit) ? 'hold' : 'approve');
          assert.equal(d.rule, d.decision === 'hold' ? 'over-credit-limit' : 'within-credit-limit');
        },
      ),
    );
  });

  it('property: a larger order of the same customer is never approved where a smaller one was held', () => {
    fc.assert(
      fc.property(cents, cents, cents, cents, (a, b, open, limit) => {
        const [small, large] = BigInt(a.replace('.', '')) <= BigInt(b.replace('.', '')) ? [a, b] : [b, a];
        const decide = (t: string): string =>
          decideCredit({ customerId: 'X', orderTotal: t, openReceivables: open, creditLimit: limit }, policy).decision;
        if (decide(small) === 'hold') assert.equal(decide(large), 'hold');
      }),
    );
  });
});
