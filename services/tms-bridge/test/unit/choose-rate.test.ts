import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseRate, meetsPromise, toTmsServiceLevel, type RateConstraints } from '../../src/booking/choose-rate.js';
import type { RateQuote } from '../../src/tms/tms-types.js';

function quote(id: string, carrier: string, level: string, amount: string, transitDays: number, date: string): RateQuote {
  return {
    quoteId: id,
    carrier: { code: carrier },
    service: { code: `${carrier}_${level.toUpperCase()}`, level },
    price: { amount, currency: 'EUR' },
    transitDays,
    estimatedDeliveryDate: date,
  };
}

const quotes: RateQuote[] = [
  quote('q1', 'DPD', 'economy', '9.50', 5, '2030-01-22'),
  quote('q2', 'DPD', 'standard', '12.47', 4, '2030-01-21'),
  quote('q3', 'UPS', 'standard', '14.02', 3, '2030-01-18'),
  quote('q4', 'DHL', 'express', '29.90', 1, '2030-01-16'),
];
const none: RateConstraints = { deliverBy: null, maxTransitDays: null, serviceLevel: null, excludedCarriers: [] };

test('cheapest-on-time: the cheapest quote when there is no promise', () => {
  const c = chooseRate(quotes, 'cheapest-on-time', none);
  assert.ok(c.ok);
  assert.equal(c.quote.quoteId, 'q1');
  assert.equal(c.onTime, true);
});

test('cheapest-on-time: the cheapest quote arriving by the promised date', () => {
  const c = chooseRate(quotes, 'cheapest-on-time', { ...none, deliverBy: '2030-01-18' });
  assert.ok(c.ok);
  assert.equal(c.quote.quoteId, 'q3');
  const d = chooseRate(quotes, 'cheapest-on-time', { ...none, deliverBy: '2030-01-21' });
  assert.ok(d.ok);
  assert.equal(d.quote.quoteId, 'q2', 'the promised day itself is on time');
});

test('cheapest-on-time: max transit days and service level narrow the choice', () => {
  const c = chooseRate(quotes, 'cheapest-on-time', { ...none, maxTransitDays: 3 });
  assert.ok(c.ok);
  assert.equal(c.quote.quoteId, 'q3');
  const s = chooseRate(quotes, 'cheapest-on-time', { ...none, serviceLevel: 'standard' });
  assert.ok(s.ok);
  assert.equal(s.quote.quoteId, 'q2');
  const e = chooseRate(quotes, 'cheapest-on-time', { ...none, serviceLevel: 'freight' });
  assert.ok(e.ok);
  assert.equal(e.quote.quoteId, 'q1', 'a level nobody offers is ignored');
});

test('cheapest-on-time: no quote meets the promise -> the fastest, flagged late', () => {
  const c = chooseRate(quotes, 'cheapest-on-time', { ...none, deliverBy: '2030-01-10' });
  assert.ok(c.ok);
  assert.equal(c.quote.quoteId, 'q4');
  assert.equal(c.onTime, false);
});

test('cheapest and fastest policies; excluded carriers; ties by quote id', () => {
  const cheapest = chooseRate(quotes, 'cheapest', { ...none, deliverBy: '2030-01-10' });
  assert.ok(cheapest.ok);
  assert.equal(cheapest.quote.quoteId, 'q1');
  assert.equal(cheapest.onTime, false);
  const fastest = chooseRate(quotes, 'fastest', none);
  assert.ok(fastest.ok);
  assert.equal(fastest.quote.quoteId, 'q4');
  const noDpd = chooseRate(quotes, 'cheapest-on-time', { ...none, excludedCarriers: ['dpd'] });
  assert.ok(noDpd.ok);
  assert.equal(noDpd.quote.quoteId, 'q3');
  const tie = chooseRate(
    [quote('b', 'UPS', 'standard', '10.00', 3, '2030-01-18'), quote('a', 'DHL', 'standard', '10.00', 3, '2030-01-18')],
    'cheapest',
    none,
  );
  assert.ok(tie.ok);
  assert.equal(tie.quote.quoteId, 'a');
  assert.deepEqual(chooseRate([], 'cheapest', none), { ok: false, reason: 'the TMS offered no rates' });
  assert.equal(chooseRate(quotes, 'cheapest', { ...none, excludedCarriers: ['DPD', 'UPS', 'DHL'] }).ok, false);
});

test('meetsPromise and service level names', () => {
  assert.equal(meetsPromise(quotes[2]!, { deliverBy: '2030-01-17', maxTransitDays: null }), false);
  assert.equal(toTmsServiceLevel('GROUND'), 'standard');
  assert.equal(toTmsServiceLevel('2day'), 'express');
  assert.equal(toTmsServiceLevel('LTL'), 'freight');
  assert.equal(toTmsServiceLevel('WHITE_GLOVE'), null);
  assert.equal(toTmsServiceLevel('WHITE_GLOVE', { WHITE_GLOVE: 'express' }), 'express');
  assert.equal(toTmsServiceLevel(null), null);
});

test('service levels named like Object.prototype members are unknown levels, not a crash', () => {
  for (const level of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
    assert.equal(toTmsServiceLevel(level, { GROUND: 'economy' }), null, level);
});
