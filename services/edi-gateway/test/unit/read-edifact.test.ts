import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksLikeEdifact, readEdifactOrders } from '../../src/edifact/read-orders.js';
import { mapPurchaseOrder } from '../../src/mapping/map-purchase-order.js';
import { PartnerDirectory } from '../../src/partners/partner-profile.js';
import { loadSampleProfile, northwind850, northwindOrders } from '../support/x12-samples.js';

const partners = new PartnerDirectory([loadSampleProfile('northwind'), loadSampleProfile('globex')]);
const read = (text: string, hint: string | null = 'northwind') => readEdifactOrders(Buffer.from(text), partners, hint);

test('EDIFACT ORDERS reads into the same purchase order an 850 gives, through the profile', () => {
  assert.ok(looksLikeEdifact(Buffer.from(northwindOrders('R1', 'EF-1'))));
  assert.ok(!looksLikeEdifact(Buffer.from(northwind850('000000001', 'X'))));
  const r = read(northwindOrders('R1', 'EF-1'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.partner.id, 'northwind');
  assert.equal(r.controlRef, 'R1');
  const m = r.messages[0]!;
  assert.deepEqual(m.errors, []);
  const e = mapPurchaseOrder(m.po!, { profile: r.partner, documentId: 'd', company: 'c', receivedAt: new Date() });
  assert.equal(e.order.orderId, 'odx:edi:northwind:EF-1');
  assert.equal(e.order.shipTo.city, 'Reno');
  assert.deepEqual(
    e.order.lines.map((l) => [l.sku, l.quantity, l.uom, l.unitPrice, l.description]),
    [
      ['SKU-00001', '10.0000', 'EA', '12.500000', 'Widget'],
      ['SKU-00004', '2.0000', 'CS', '99.990000', 'SKU-00004'],
    ],
  );
});

const bad: Array<[string, string, string | null, RegExp]> = [
  ['UNZ01 wrong', northwindOrders('R2', 'P', { unz01: '3' }), 'northwind', /UNZ01 says 3/],
  ['UNT01 wrong', northwindOrders('R3', 'P', { unt01: '5' }), 'northwind', /UNT01 says 5/],
  ['unknown sender', northwindOrders('R4', 'P', { sender: '999' }), null, /no partner profile sends as UNB 999/],
  ['not ORDERS', northwindOrders('R5', 'P', { type: 'INVOIC:D:96A:UN' }), 'northwind', /only ORDERS/],
  ['a quantity that is not a number', northwindOrders('R6', 'P', { qty: 'ten' }), 'northwind', /quantity "ten"/],
  ['no order number', northwindOrders('R7', ''), 'northwind', /BGM02/],
  ['syntax garbage', "UNB+UNOC:3+4000000000001:14+4000000000002:14+261120:1015+R8'UNH+1", 'northwind', /not a readable EDIFACT|UNZ|UNT/],
];
for (const [name, text, hint, expected] of bad) {
  test(`EDIFACT rejected: ${name}`, () => {
    const r = read(text, hint);
    const problems = r.ok ? r.messages.flatMap((m) => m.errors) : r.problems;
    assert.ok(problems.length > 0, 'rejected');
    assert.match(problems.join('; '), expected);
    if (r.ok) assert.ok(r.messages.every((m) => m.po === null));
  });
}

test('EDIFACT item and unit codes named like Object.prototype members are rejected, not looked up on it', () => {
  for (const code of ['constructor', '__proto__', 'toString']) {
    const text = northwindOrders('RP1', 'P-PROTO').replace('NW-4:BP', `${code}:${code}`).replace('QTY+21:2:CA', `QTY+21:2:${code}`);
    const r = read(text);
    assert.ok(r.ok, code);
    assert.equal(r.messages[0]!.po, null, code);
    assert.match(r.messages[0]!.errors.join('; '), new RegExp(`item ${code.replace(/_/g, '_')} is not in the partner profile`), code);
  }
});
