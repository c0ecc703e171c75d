// The gateway under hostile input on the real stack: /healthz keeps answering while 5 MB is parsed, and no body is read before the token.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { globex850 } from '../support/x12-samples.js';
import { TOKENS, startGateway } from '../support/gateway-kit.js';

const FIVE_MB = 5_000_000;

/** A client in its own process: POSTs a file with a bearer token and prints the status and JSON answer. */
const POST_FILE = `
const [url, token, file] = process.argv.slice(1);
const body = require('node:fs').readFileSync(file);
fetch(url, { method: 'POST', headers: { 'content-type': 'application/edi-x12', authorization: 'Bearer ' + token }, body })
  .then(async (res) => process.stdout.write(JSON.stringify({ status: res.status, body: await res.json() })));
`;

test('/healthz answers within 100 ms while a 5 MB hostile interchange is parsed, and the interchange gets its TA1', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false', EDI_MAX_BYTES: String(6_000_000) });
  const isa = globex850('000000777', 'GX-HOSTILE').slice(0, 106);
  // The newline flood: an ISA declaring newline as the segment terminator, 5 MB of newlines, an IEA
  // (before the fix, 80 KB of it held the event loop for 6 s).
  const hostile = Buffer.from(isa + '\n'.repeat(FIVE_MB) + 'IEA|1|000000777\n');
  assert.ok(hostile.length >= FIVE_MB, `${hostile.length} bytes`);

  // The first fetch of a process loads its HTTP client; that is not the gateway's latency.
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  // Sent by a child process, so that only the gateway's own work is on this event loop.
  const dir = mkdtempSync(join(tmpdir(), 'edi-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hostile.x12'), hostile);
  const client = spawn(process.execPath, ['-e', POST_FILE, `${gw.url}/v1/edi/globex`, TOKENS.globex, join(dir, 'hostile.x12')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let done = false;
  const exited = once(client, 'exit').finally(() => {
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
  await exited;
  const { status, body } = JSON.parse(output) as {
    status: number;
    body: { status: string; errors: string[]; acknowledgments: Array<{ type: string }> };
  };
  assert.equal(status, 422);
  assert.equal(body.status, 'rejected');
  assert.match(body.errors.join('; '), /no interchange/);
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

test('POST /v1/edi/:partnerId answers 401 before reading the body, whatever its content type', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  // A body that is never finished: a gateway that read it first (express.raw, or the runtime's JSON parser) would never answer.
  for (const contentType of ['application/edi-x12', 'application/json']) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gw.url}/v1/edi/globex`, {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': String(FIVE_MB), authorization: 'Bearer wrong-token-wrong-token' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.write(contentType === 'application/json' ? '{"x": "' : Buffer.alloc(64 * 1024, 0x41));
      setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer within 5 s for ${contentType}: the body is being read before the token is checked`));
      }, 5_000).unref();
    });
    assert.equal(status, 401, contentType);
  }
});
