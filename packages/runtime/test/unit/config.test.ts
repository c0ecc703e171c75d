import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, envVar, loadRuntimeConfig, parseEnv } from '../../src/config/index.js';

test('defaults apply when nothing is set, including empty strings', () => {
  const c = loadRuntimeConfig('wms-bridge', { ODX_KAFKA_BROKERS: '', ODX_HTTP_PORT: '' });
  assert.equal(c.serviceName, 'wms-bridge');
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.kafka.clientId, 'wms-bridge');
  assert.equal(c.schemaRegistry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
  assert.equal(c.mongo.url, 'mongodb://127.0.0.1:27017/');
  assert.equal(c.http.port, 0);
  assert.equal(c.kafka.sasl, undefined);
  assert.equal(c.consumers.sessionTimeoutMs, 10_000);
});

test('the consumer session is at least what the broker accepts (6 s)', () => {
  assert.equal(loadRuntimeConfig('x', { ODX_KAFKA_SESSION_TIMEOUT_MS: '15000' }).consumers.sessionTimeoutMs, 15_000);
  for (const bad of ['5999', 'ten', '-1', '1800001'])
    assert.throws(
      () => loadRuntimeConfig('x', { ODX_KAFKA_SESSION_TIMEOUT_MS: bad }),
      (err: unknown) => err instanceof ConfigError && err.problems.map((p) => p.variable).join() === 'ODX_KAFKA_SESSION_TIMEOUT_MS',
      bad,
    );
});

test('lists, numbers and booleans are parsed', () => {
  const c = loadRuntimeConfig('x', {
    ODX_KAFKA_BROKERS: ' a:1, b:2 ,,',
    ODX_HTTP_PORT: '8080',
    ODX_KAFKA_SSL: 'true',
    ODX_SCHEMA_REGISTRY_URL: 'http://reg:8081/apis/ccompat/v7/',
  });
  assert.deepEqual(c.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(c.http.port, 8080);
  assert.equal(c.kafka.ssl, true);
  assert.equal(c.schemaRegistry.url, 'http://reg:8081/apis/ccompat/v7');
});

test('every invalid variable is named in one error', () => {
  assert.throws(
    () =>
      loadRuntimeConfig('x', { ODX_HTTP_PORT: 'eighty', ODX_MONGO_URL: 'postgres://nope', ODX_LOG_LEVEL: 'loud', ODX_KAFKA_SSL: 'maybe' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.variable).sort();
      assert.deepEqual(vars, ['ODX_HTTP_PORT', 'ODX_KAFKA_SSL', 'ODX_LOG_LEVEL', 'ODX_MONGO_URL']);
      assert.match(err.message, /ODX_HTTP_PORT/);
      assert.doesNotMatch(err.message, /eighty/, 'the value is never printed (it may be a secret)');
      return true;
    },
  );
});

test('SASL needs its credentials', () => {
  assert.throws(() => loadRuntimeConfig('x', { ODX_KAFKA_SASL_MECHANISM: 'plain' }), /ODX_KAFKA_SASL_USERNAME/);
  const c = loadRuntimeConfig('x', {
    ODX_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    ODX_KAFKA_SASL_USERNAME: 'u',
    ODX_KAFKA_SASL_PASSWORD: 'p',
  });
  assert.deepEqual(c.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
});

test('hostile values are refused, not passed through', () => {
  assert.throws(() => loadRuntimeConfig('x', { ODX_SERVICE_NAME: 'Bad Name; rm -rf /' }), /ODX_SERVICE_NAME/);
  assert.throws(() => loadRuntimeConfig('x', { ODX_HTTP_PORT: '70000' }), /ODX_HTTP_PORT/);
});

test('webhook secrets: whsec_ keys decode to at least 24 bytes; errors name the variable, never the value', () => {
  const schema = z.object({ HOOK_SECRET: envVar.webhookSecret() });
  const key = (bytes: number): string => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
  assert.equal(parseEnv(schema, { HOOK_SECRET: key(24) }).HOOK_SECRET, key(24));
  assert.equal(parseEnv(schema, { HOOK_SECRET: 'a plain secret' }).HOOK_SECRET, 'a plain secret');
  for (const [value, why] of [
    ['whsec_', /decode to at least 24 bytes \(it decodes to 0\)/],
    [key(23), /decode to at least 24 bytes \(it decodes to 23\)/],
    ['whsec_not base64!', /must be base64/],
    ['short', /at least 8 characters/],
  ] as const) {
    assert.throws(
      () => parseEnv(schema, { HOOK_SECRET: value }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /HOOK_SECRET: /);
        assert.match(err.message, why);
        assert.ok(value === 'whsec_' || !err.message.includes(value), `the value is not in: ${err.message}`);
        return true;
      },
    );
  }
});

test('config errors never print the value given', () => {
  const schema = z.object({ API_TOKEN: z.string().min(16, 'must be at least 16 characters'), PORT: envVar.port() });
  assert.throws(
    () => parseEnv(schema, { API_TOKEN: 'hunter2-secret', PORT: '99999' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /API_TOKEN: must be at least 16/.test(err.message) &&
      !err.message.includes('hunter2') &&
      !err.message.includes('99999'),
  );
});
