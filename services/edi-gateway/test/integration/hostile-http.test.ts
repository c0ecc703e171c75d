// The gateway under hostile input on the real stack: /healthz keeps answering while 5 MB is parsed, and no body is read before the token.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { globex850 } from '../support/x12-samples.js';
import { TOKENS, startGateway } from '../support/gateway-kit.js';

const FIVE_MB = 5_000_000;

test('/healthz answers within 100 ms while a 5 MB hostile interchange is parsed, and the interchange gets its TA1', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false', EDI_MAX_BYTES: String(6_000_000) });
  const isa = globex850('000000777', 'GX-HOSTILE').slice(0, 106);
  // The densest shape within the caps: 100,000 GS segments, no GE (the costliest hostile case of the unit suite).
  const gs = 'GS|PO|GLOBEXSUP|ODXDIST|20261120|1015|1|X|005010\n';
  const hostile = Buffer.from(isa + gs.repeat(Math.ceil(FIVE_MB / gs.length)) + 'IEA|1|000000777\n');
  assert.ok(hostile.length >= FIVE_MB);

  let done = false;
  const posted = fetch(`${gw.url}/v1/edi/globex`, {
    method: 'POST',
    headers: { 'content-type': 'application/edi-x12', authorization: `Bearer ${TOKENS.globex}` },
    body: hostile,
  }).finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/healthz`);
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    if (!done) latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  const res = await posted;
  assert.equal(res.status, 422);
  const body = (await res.json()) as { status: string; errors: string[]; acknowledgments: Array<{ type: string; content: string }> };
  assert.equal(body.status, 'rejected');
  assert.match(body.errors.join('; '), /IEA01 says 1 groups/);
  assert.deepEqual(
    body.acknowledgments.map((a) => a.type),
    ['TA1'],
  );
  t.diagnostic(`${latencies.length} /healthz answers during the request, slowest ${Math.max(...latencies).toFixed(0)} ms`);
  assert.ok(latencies.length >= 3, `/healthz was asked ${latencies.length} times while the file was processed`);
  assert.ok(
    Math.max(...latencies) <= 100,
    `slowest /healthz ${Math.max(...latencies).toFixed(0)} ms: ${latencies.map((l) => l.toFixed(0)).join(', ')}`,
  );
});

test('POST /v1/edi/:partnerId answers 401 before reading the body', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  // A body that is never finished: a gateway that read it first would never answer.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${gw.url}/v1/edi/globex`, {
      method: 'POST',
      headers: {
        'content-type': 'application/edi-x12',
        'content-length': String(FIVE_MB),
        authorization: 'Bearer wrong-token-wrong-token',
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.write(Buffer.alloc(64 * 1024, 0x41));
    setTimeout(() => reject(new Error('no answer within 5 s: the body is being read before the token is checked')), 5_000).unref();
  });
  assert.equal(status, 401);
});
