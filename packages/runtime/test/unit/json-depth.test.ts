// JSON bodies nested deeper than the cap are refused before they are parsed: 400 problem+json naming the cap, in linear time.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_JSON_DEPTH, createHttpApp, jsonBytesDepthExceeds, jsonDepthExceeds, jsonDepthVerifier } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { createRuntimeMetrics } from '../../src/telemetry/index.js';

const quiet = createLogger({ service: 'test', level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);
const deepObject = (depth: number): string => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

test('jsonDepthExceeds counts objects and arrays, not brackets inside strings', () => {
  assert.equal(MAX_JSON_DEPTH, 64);
  assert.equal(jsonDepthExceeds(nested(64)), false);
  assert.equal(jsonDepthExceeds(nested(65)), true);
  assert.equal(jsonDepthExceeds(deepObject(64)), false);
  assert.equal(jsonDepthExceeds(deepObject(65)), true);
  assert.equal(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(10_000), b: '\\"[[[', c: [1, [2]] })), false);
  assert.equal(jsonDepthExceeds(`["\\"", ${nested(64)}]`), true);
  assert.equal(jsonDepthExceeds('[[[', 2), true);
  assert.equal(jsonBytesDepthExceeds(Buffer.from(nested(65))), true);
  assert.equal(jsonBytesDepthExceeds(Buffer.from(JSON.stringify({ 'ü[[': '€'.repeat(100) + '['.repeat(100) }))), false);
});

/** The nesting depth of a parsed JSON value (objects and arrays), for comparison. */
const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);

test('property: for any JSON value and cap, jsonDepthExceeds (text and UTF-8 bytes) says whether its depth is over the cap', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), fc.boolean(), (value, max, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null';
      const expected = depthOf(value) > max;
      assert.equal(jsonDepthExceeds(text, max), expected, text);
      assert.equal(jsonBytesDepthExceeds(Buffer.from(text), max), expected, text);
    }),
    { numRuns: 500 },
  );
});

test('a 1 MB body of "[" or {"a": is refused in linear time; 10 MB of text is scanned in well under a second', () => {
  for (const text of ['['.repeat(1_000_000), '{"a":'.repeat(200_000)]) {
    const t0 = performance.now();
    assert.equal(jsonDepthExceeds(text), true);
    assert.ok(performance.now() - t0 < 250, `${(performance.now() - t0).toFixed(0)} ms`);
  }
  const flat = Buffer.from(JSON.stringify(Array.from({ length: 1_000_000 }, (_, i) => ({ i }))));
  const t0 = performance.now();
  assert.equal(jsonBytesDepthExceeds(flat), false);
  assert.ok(performance.now() - t0 < 1_000, `${(performance.now() - t0).toFixed(0)} ms for ${flat.length} bytes`);
});

test('the runtime app answers a too-deep JSON body 400 problem+json naming the cap, before parsing it', async (t) => {
  const http = createHttpApp({
    logger: quiet,
    metrics: createRuntimeMetrics('test', { defaultMetrics: false }),
    readiness: [],
  });
  let handled = 0;
  http.api.post('/v1/hook', (req, res) => {
    handled++;
    res.json({ keys: Object.keys(req.body as object).length });
  });
  const server = await http.listen(0, '127.0.0.1');
  t.after(() => http.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/hook`;
  const post = (body: string | Buffer, contentType = 'application/json') =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });

  for (const body of ['['.repeat(1_000_000), '{"a":'.repeat(200_000), nested(65), deepObject(65)]) {
    const t0 = performance.now();
    const res = await post(body);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const problem = (await res.json()) as { title: string; detail: string };
    assert.match(problem.detail, /nested deeper than 64 levels/);
    assert.ok(performance.now() - t0 < 2_000, `${(performance.now() - t0).toFixed(0)} ms for ${body.length} characters`);
  }
  // The same in UTF-16: the check reads the body in its declared charset.
  const utf16 = await post(Buffer.from('\ufeff' + nested(1_000), 'utf16le'), 'application/json; charset=utf-16le');
  assert.equal(utf16.status, 400);
  assert.match(((await utf16.json()) as { detail: string }).detail, /nested deeper than 64/);
  assert.equal(handled, 0);

  // At the cap, and brackets inside strings, pass.
  const ok = await post(JSON.stringify({ a: JSON.parse(deepObject(63)) as unknown, text: '['.repeat(5_000) }));
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { keys: 2 });
  assert.equal(handled, 1);
});

test('jsonDepthVerifier (the express.json hook the runtime and the simulators use) names the cap and, when given, its setting', () => {
  const verify = jsonDepthVerifier(3, 'WMS_SIM_MAX_JSON_DEPTH');
  assert.doesNotThrow(() => verify(null, null, Buffer.from(nested(3)), 'utf-8'));
  assert.throws(
    () => verify(null, null, Buffer.from(nested(4)), 'utf-8'),
    (err: unknown) =>
      err instanceof Error &&
      (err as { type?: string }).type === 'entity.too.deep' &&
      (err as { status?: number }).status === 400 &&
      err.message ===
        'JSON body nested deeper than 3 levels (the cap on objects and arrays within each other; setting WMS_SIM_MAX_JSON_DEPTH)',
  );
  assert.throws(() => verify(null, null, Buffer.from(nested(4), 'utf16le'), 'utf-16le'), /nested deeper than 3 levels/);
  assert.throws(
    () => jsonDepthVerifier()(null, null, Buffer.from(nested(65)), 'utf8'),
    /deeper than 64 levels \(the cap on objects and arrays within each other\)$/,
  );
});
