import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConsumerRunner, dlqTopicName, retryTopicName } from '../../src/kafka/index.js';
import { orderIdOf, orderTraceId, startTelemetry, withSpan } from '../../src/telemetry/index.js';
import { orderEvent } from '../support/events.js';
import { createTestKit, eventually, uniqueName } from '../support/test-kit.js';

test("one trace per order across produce and consume: the order's trace travels in the traceparent header", async (t) => {
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
    kafka: kit.kafka,
    serde: kit.serde,
    producer: kit.producer,
    logger: kit.logger,
    groupId,
    topics: [topic],
    idempotency: false,
    retryDelaysMs: [500],
    handler: async (e) => {
      seenTraceparent = e.headers['traceparent'] ?? '';
      await withSpan('call WMS', {}, async (span) => {
        handlerTraceId = span.spanContext().traceId;
      });
    },
  });
  t.after(() => runner.close());
  let pollTraceId = '';
  const event = orderEvent(topic, 'SO1');
  const orderId = orderIdOf(event.payload);
  assert.ok(orderId, 'the sample OrderConfirmed names its order');
  const orderTrace = orderTraceId(event.payload.meta.company, orderId);
  await withSpan('odoo poll', { kind: SpanKind.INTERNAL }, async (span) => {
    pollTraceId = span.spanContext().traceId;
    await kit.producer.publish([event]);
  });
  await runner.start();
  await eventually(async () => (handlerTraceId ? true : undefined), 30_000, 'the handler');
  assert.notEqual(pollTraceId, orderTrace);
  assert.match(seenTraceparent, new RegExp(`^00-${orderTrace}-[0-9a-f]{16}-01$`));
  assert.equal(handlerTraceId, orderTrace, "the handler works inside the order's trace");
  const spans = exporter.getFinishedSpans();
  const batch = spans.find((s) => s.name === 'odx publish');
  const publish = spans.find((s) => s.name === 'odx publish OrderConfirmed');
  const consume = spans.find((s) => s.name === 'odx process OrderConfirmed');
  assert.ok(batch && publish && consume);
  assert.equal(batch.spanContext().traceId, pollTraceId, "the batch publish stays in the poll's trace");
  assert.equal(publish.spanContext().traceId, orderTrace);
  assert.equal(publish.links[0]?.context.spanId, batch.spanContext().spanId, "the order's publish span links to the poll's publish span");
  assert.equal(publish.kind, SpanKind.PRODUCER);
  assert.equal(consume.kind, SpanKind.CONSUMER);
  assert.equal(consume.spanContext().traceId, orderTrace);
  assert.equal(consume.parentSpanContext?.spanId, publish.spanContext().spanId, 'consumer span is a child of the publish span');
  assert.equal(consume.attributes['messaging.destination.name'], topic);
});
