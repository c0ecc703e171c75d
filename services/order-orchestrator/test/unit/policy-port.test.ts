import assert from 'node:assert/strict';
import { it } from 'node:test';
import { allocate, decideCredit, loadOrchestratorPolicy, policyPort, slaFor, StockView } from '../../src/policy/index.js';

it('policyPort binds the loaded policy: the same answers as the pure functions, fed by a StockView', () => {
  const policy = loadOrchestratorPolicy();
  const port = policyPort(policy);
  const credit = { customerId: 'C90001', orderTotal: '2000.00', currency: 'USD', openReceivables: '3220.00', creditLimit: '5000.00' };
  assert.deepEqual(port.decideCredit(credit), decideCredit(credit, policy));
  assert.equal(port.decideCredit(credit).decision, 'hold');
  const stock = new StockView();
  stock.apply({
    eventId: 'e1',
    level: { sku: 'SKU-00001', warehouseCode: 'WH2', locationCode: null, lotNumber: null, available: '12.0000', asOf: new Date(0) },
  });
  const input = {
    lines: [{ lineId: '7', sku: 'SKU-00001', qty: '5.0000', uom: 'Units' }],
    customerId: 'C00042',
    stock: stock.snapshot(['SKU-00001']),
  };
  assert.deepEqual(port.allocate(input), allocate(input, policy));
  assert.deepEqual(port.allocate(input), { kind: 'allocated', parts: [{ warehouseCode: 'WH2', lines: input.lines }] });
  assert.equal(port.slaMs('delivery', { carrierCode: 'FedEx Express' }), slaFor('delivery', { carrierCode: 'FedEx Express' }, policy));
});
