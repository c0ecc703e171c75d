import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConsumerRunner, dlqTopicName, retryTopicName } from '../../src/kafka/index.js';
import { startTelemetry, withSpan } from '../../src/telemetry/index.js';
import { orderEvent } from '../support/events.js';
import { createTestKit, eventually, uniqueName } from '../support/test-kit.js';

test('one trace across produce and consume: context travels in the traceparent header', async (t) => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ serviceName: 'trace-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  t.after(() => telemetry.shutdown());
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const groupId = uniqueName('g');
  kit.track(retryTopicName(topic, groupId, 1));
  kit.track(dlqTopicName(topic, groupId));
  let seenTraceparent = '';
  let handlerTraceId = '';
  const runner = new ConsumerRunner({
    kafka: kit.kafka, serde: kit.serde, producer: kit.producer, logger: kit.logger, groupId, topics: [topic],
    idempotency: false, retryDelaysMs: [500],
    handler: async (e) => {
      seenTraceparent = e.headers['traceparent'] ?? '';
      await withSpan('call WMS', {}, async (span) => { handlerTraceId = span.spanContext().traceId; });
    },
  });
  t.after(() => runner.close());
  let rootTraceId = '';
  await withSpan('odoo poll', { kind: SpanKind.INTERNAL }, async (span) => {
    rootTraceId = span.spanContext().traceId;
    await kit.producer.publish([orderEvent(topic, 'SO1')]);
  });
  await runner.start();
  await eventually(async () => (handlerTraceId ? true : undefined), 30_000, 'the handler');
  assert.match(seenTraceparent, new RegExp(`^00-${rootTraceId}-[0-9a-f]{16}-01$`));
  assert.equal(handlerTraceId, rootTraceId, 'the handler works inside the producer trace');
  const spans = exporter.getFinishedSpans();
  const publish = spans.find((s) => s.name === 'odx publish');
  const consume = spans.find((s) => s.name === 'odx process OrderConfirmed');
  assert.ok(publish && consume);
  assert.equal(publish.kind, SpanKind.PRODUCER);
  assert.equal(consume.kind, SpanKind.CONSUMER);
  assert.equal(consume.spanContext().traceId, rootTraceId);
  assert.equal(consume.parentSpanContext?.spanId, publish.spanContext().spanId, 'consumer span is a child of the publish span');
  assert.equal(consume.attributes['messaging.destination.name'], topic);
});
