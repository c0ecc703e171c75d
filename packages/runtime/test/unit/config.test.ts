import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadRuntimeConfig } from '../../src/config/index.js';

test('defaults apply when nothing is set, including empty strings', () => {
  const c = loadRuntimeConfig('wms-bridge', { ODX_KAFKA_BROKERS: '', ODX_HTTP_PORT: '' });
  assert.equal(c.serviceName, 'wms-bridge');
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.kafka.clientId, 'wms-bridge');
  assert.equal(c.schemaRegistry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
  assert.equal(c.mongo.url, 'mongodb://127.0.0.1:27017/');
  assert.equal(c.http.port, 0);
  assert.equal(c.kafka.sasl, undefined);
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
      assert.match(err.message, /eighty/);
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
