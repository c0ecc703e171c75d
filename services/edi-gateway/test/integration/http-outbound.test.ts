import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import type { EventPayloads, EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { PARTNERS_DIR } from '../support/x12-samples.js';
import { eventually, startGateway } from '../support/gateway-kit.js';

test('documents for a partner with an HTTP endpoint are POSTed with its token; a 503 is retried, the same interchange resent', async (t) => {
  const received: Array<{ auth: string | undefined; body: string; name: string | undefined }> = [];
  let calls = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      if (calls === 1) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({
        auth: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
        name: req.headers['x-edi-file-name'] as string | undefined,
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;

  const dir = mkdtempSync(join(tmpdir(), 'edi-profiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'northwind.yaml'), readFileSync(join(PARTNERS_DIR, 'northwind.yaml')));
  const globex = readFileSync(join(PARTNERS_DIR, 'globex.yaml'), 'utf8').replace(
    '    inboundTokenEnv: EDI_TOKEN_GLOBEX',
    `    inboundTokenEnv: EDI_TOKEN_GLOBEX\n    outboundUrl: http://127.0.0.1:${port}/edi/in\n    outboundTokenEnv: EDI_GLOBEX_OUT_TOKEN`,
  );
  writeFileSync(join(dir, 'globex.yaml'), globex);
  const outToken = `out-${randomUUID()}`;
  const gw = await startGateway(t, { EDI_PARTNERS_DIR: dir, EDI_GLOBEX_OUT_TOKEN: outToken, EDI_FOLDER_TRANSPORT: 'false' });

  const inv = sampleEvent('InvoicePosted', { meta: sampleMeta({ eventId: randomUUID() }) });
  inv.invoice = {
    ...inv.invoice,
    invoiceId: 'inv-http-1',
    clientOrderRef: 'GX-PO-7',
    name: 'INV/2026/0100',
    customer: { ...inv.invoice.customer, ref: 'C00002', ediPartnerId: null },
  };
  await gw.publish([{ eventType: 'InvoicePosted', key: 'inv-http-1', topic: gw.topics.invoices, payload: inv }]);
  await eventually(() => (received.length === 1 ? true : undefined), 30_000, 'the 810 POSTed after the retry');
  assert.equal(calls, 2, 'one refused attempt, one accepted');
  assert.equal(received[0]!.auth, `Bearer ${outToken}`);
  assert.ok(received[0]!.body.startsWith('ISA|') && received[0]!.body.includes('\nBIG|'));
  const files = gw.files('globex', 'outbound');
  assert.deepEqual(files, [received[0]!.name], 'the folder copy has the same name');
  assert.equal(gw.read('globex', 'outbound', files[0]!), received[0]!.body, 'and the same bytes: the retry resent the stored interchange');
  // The partner has the bytes once its endpoint answered; the gateway records "sent" right after.
  const doc = await eventually(
    async () => {
      const [d] = await gw.gateway.documents.list({ partner: 'globex', type: '810', limit: 5 });
      return d?.status === 'sent' ? d : undefined;
    },
    15_000,
    'the 810 recorded as sent',
  );
  assert.equal(doc?.transport, 'folder+http');
});

test('a partner that takes EDIFACT gets DESADV and INVOIC instead of 856 and 810, and no order response', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edi-profiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'globex.yaml'), readFileSync(join(PARTNERS_DIR, 'globex.yaml')));
  writeFileSync(
    join(dir, 'northwind.yaml'),
    readFileSync(join(PARTNERS_DIR, 'northwind.yaml'), 'utf8').replace(
      'outbound:\n  ack855Type: AD',
      'outbound:\n  standard: EDIFACT\n  ack855Type: AD',
    ),
  );
  const gw = await startGateway(t, { EDI_PARTNERS_DIR: dir, EDI_FOLDER_TRANSPORT: 'false' });
  assert.equal(gw.gateway.partners.get('northwind')?.outbound.standard, 'EDIFACT');
  const customer = { ...sampleEvent('OrderConfirmed').order.customer, ref: 'C00001', ediPartnerId: null };
  const confirmed = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID() }) });
  confirmed.order = { ...confirmed.order, orderId: '4242', clientOrderRef: 'NW-EF-9', customer };
  const dispatched = sampleEvent('ShipmentDispatched', { meta: sampleMeta({ eventId: randomUUID() }) });
  dispatched.shipment = { ...dispatched.shipment, orderId: '4242', clientOrderRef: 'NW-EF-9', customer };
  const inv = sampleEvent('InvoicePosted', { meta: sampleMeta({ eventId: randomUUID() }) });
  inv.invoice = { ...inv.invoice, orderId: '4242', clientOrderRef: 'NW-EF-9', customer };
  const ev = <T extends EventType>(eventType: T, key: string, topic: string, payload: EventPayloads[T]): OutgoingEvent =>
    outgoingEvent(eventType, key, payload, { topic });
  await gw.publish([
    ev('OrderConfirmed', '4242', gw.topics.orders, confirmed),
    ev('ShipmentDispatched', dispatched.shipment.shipmentId, gw.topics.shipments, dispatched),
    ev('InvoicePosted', inv.invoice.invoiceId, gw.topics.invoices, inv),
  ]);
  const files = await eventually(
    () => {
      const f = gw.files('northwind', 'outbound');
      return f.length >= 2 ? f : undefined;
    },
    30_000,
    'DESADV and INVOIC written',
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(
    gw
      .files('northwind', 'outbound')
      .map((f) => f.split('-')[0])
      .sort(),
    ['DESADV', 'INVOIC'],
    'no 855 for an EDIFACT partner',
  );
  const desadv = gw.read(
    'northwind',
    'outbound',
    files.find((f) => f.startsWith('DESADV'))!,
  );
  assert.match(desadv, /^UNA:\+\.\? 'UNB\+UNOC:3\+4000000000002:14\+4000000000001:14\+/);
  assert.ok(desadv.includes("RFF+ON:NW-EF-9'"));
  const [doc] = await gw.gateway.documents.list({ partner: 'northwind', type: 'DESADV', limit: 1 });
  assert.equal(doc?.standard, 'EDIFACT');
  assert.equal(doc?.status, 'sent');
});
