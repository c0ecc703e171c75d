import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, withLogContext } from '../../src/logging/index.js';
import { startTelemetry, withSpan } from '../../src/telemetry/index.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write: (c, _e, cb) => {
      chunks.push(String(c));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('JSON lines carry service, trace_id, span_id and correlation id; errors are serialised', async (t) => {
  const telemetry = startTelemetry({ serviceName: 'log-test', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  t.after(() => telemetry.shutdown());
  const out = capture();
  const log = createLogger({ service: 'wms-bridge', stream: out.stream, defaultMeta: { instance: 'i-1' } });
  log.info('outside any span');
  let traceId = '';
  await withSpan('work', {}, async (span) => {
    traceId = span.spanContext().traceId;
    await withLogContext({ correlationId: 'SO042', eventId: 'e-1' }, async () => {
      log.warn('inside', { err: new Error('boom') });
    });
  });
  const [first, second] = out.lines();
  assert.equal(first!['service'], 'wms-bridge');
  assert.equal(first!['instance'], 'i-1');
  assert.equal(first!['trace_id'], undefined);
  assert.equal(first!['level'], 'info');
  assert.ok(typeof first!['timestamp'] === 'string');
  assert.equal(second!['trace_id'], traceId);
  assert.match(String(second!['span_id']), /^[0-9a-f]{16}$/);
  assert.equal(second!['correlation_id'], 'SO042');
  assert.equal(second!['event_id'], 'e-1');
  assert.equal((second!['err'] as { message: string }).message, 'boom');
});

test('log lines stay one JSON object each, whatever the message holds', () => {
  const out = capture();
  const log = createLogger({ service: 's', stream: out.stream });
  log.info('line\nbreak "quotes" \u0000 and </script>', { nested: { a: [1, 2] } });
  const lines = out.lines();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!['message'], 'line\nbreak "quotes" \u0000 and </script>');
});
