// @ts-check
// Reads odx.orders.v1 and prints each order event, decoded with @odx/schemas.
// A downstream team's starting point: see docs/consumer-guide.md in the ODX repo.
//
//   ODX_KAFKA_BROKERS        127.0.0.1:9092 (comma-separated)
//   ODX_SCHEMA_REGISTRY_URL  http://127.0.0.1:8081/apis/ccompat/v7
//   ODX_TOPIC                odx.orders.v1
//   ODX_GROUP_ID             orders-consumer-example (your team's own group)
//   ODX_MAX_MESSAGES         stop after this many order events (0 = run until Ctrl-C)
//   ODX_KAFKA_SASL_MECHANISM scram-sha-512 (with _USERNAME and _PASSWORD: your team's Kafka user;
//                            the local stack's admin login: eval "$(npm run -s stack -- env)")
import { createEventDecoder, DecodeError } from '@odx/schemas';
import { Kafka, logLevel } from 'kafkajs';

const env = process.env;
const brokers = (env['ODX_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const topic = env['ODX_TOPIC'] ?? 'odx.orders.v1';
const groupId = env['ODX_GROUP_ID'] ?? 'orders-consumer-example';
const maxMessages = Number(env['ODX_MAX_MESSAGES'] ?? '0');
if (!Number.isInteger(maxMessages) || maxMessages < 0) {
  console.error(`ODX_MAX_MESSAGES must be a whole number >= 0, got ${JSON.stringify(env['ODX_MAX_MESSAGES'])}`);
  process.exit(2);
}

// Writer schemas come from the registry by the id in each message (Confluent wire format).
const decoder = createEventDecoder({ registryUrl: env['ODX_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7' });
const mechanism = env['ODX_KAFKA_SASL_MECHANISM'];
if (mechanism && mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256' && mechanism !== 'plain') {
  console.error(`ODX_KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or plain, got ${JSON.stringify(mechanism)}`);
  process.exit(2);
}
const sasl = mechanism
  ? { mechanism, username: env['ODX_KAFKA_SASL_USERNAME'] ?? '', password: env['ODX_KAFKA_SASL_PASSWORD'] ?? '' }
  : undefined;
const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.ERROR, ...(sasl ? { sasl } : {}) });
const consumer = kafka.consumer({ groupId });
let seen = 0;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message, partition }) => {
    let event;
    try {
      event = await decoder.decode(message.value);
    } catch (err) {
      // Transient (registry down): throw, and kafkajs delivers the message again.
      if (!(err instanceof DecodeError) || err.transient) throw err;
      // A newer event type than this package knows, or a broken message: a real consumer
      // would park it (its own DLQ); the example says so and goes on.
      console.error(`skipped offset ${message.offset} of partition ${partition}: ${err.reason}: ${err.message}`);
      return;
    }
    // Narrowing on eventType types the payload: no casts.
    switch (event.eventType) {
      case 'OrderConfirmed':
      case 'OrderReceived': {
        const { order } = event.payload;
        console.log(
          `${event.eventType} ${JSON.stringify({
            key: message.key?.toString(),
            eventId: event.payload.meta.eventId,
            orderId: order.orderId,
            name: order.name,
            customer: order.customer.name,
            currency: order.currency,
            amountTotal: order.amountTotal,
            lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
          })}`,
        );
        break;
      }
      case 'OrderCancelled':
        console.log(`${event.eventType} ${JSON.stringify({ orderId: event.payload.orderId, reason: event.payload.reason })}`);
        break;
      default:
        return; // other event types do not appear on odx.orders.v1 today
    }
    seen += 1;
    if (maxMessages > 0 && seen >= maxMessages) setImmediate(() => void stop(0));
  },
});
