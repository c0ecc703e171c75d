import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startTelemetry, withSpan } from '../../src/telemetry/index.js';

test('spans are exported over OTLP/HTTP when an endpoint is set', async (t) => {
  const received: Array<{ path: string; bytes: number }> = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', bytes });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const telemetry = startTelemetry({ serviceName: 'export-test', otlpEndpoint: endpoint });
  await withSpan('unit of work', {}, async () => undefined);
  await telemetry.shutdown(); // flushes the batch processor
  assert.equal(received.length, 1);
  assert.equal(received[0]!.path, '/v1/traces');
  assert.ok(received[0]!.bytes > 0);
});
