export { EventSerde, canonicalSchemas } from './event-serde.js';
export type { AvroRecordSchema, DecodedEvent, EventSerdeOptions, SchemaSource } from './event-serde.js';
export { AVRO_CONTENT_TYPE, fromCloudEventHeaders, toCloudEventHeaders } from './cloudevents.js';
export type { CloudEventAttributes } from './cloudevents.js';
