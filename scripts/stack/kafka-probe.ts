import { healthy, unhealthy, type Health } from './health.js';
import { Reader, roundTrip } from './wire.js';

const METADATA_API_KEY = 3;
// Kafka 4 removed Metadata v0-v3 (KIP-896); v4 is the oldest left and is
// still a non-flexible version, so it needs no tagged-field handling.
const METADATA_VERSION = 4;

export interface KafkaClusterInfo {
  clusterId: string | null;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number }[];
}

function metadataRequest(correlationId: number): Buffer {
  const clientId = Buffer.from('odx-stack');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = 0;
  o = body.writeInt16BE(METADATA_API_KEY, o);
  o = body.writeInt16BE(METADATA_VERSION, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: empty array = no topic metadata, brokers only
  body.writeInt8(0, o); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function nullableString(r: Reader): string | null {
  const length = r.int16BE();
  return length < 0 ? null : r.utf8(length);
}

/** Asks a broker for cluster metadata with a Metadata v4 request (no client library needed). */
export async function describeKafkaCluster(host: string, port: number, timeoutMs = 2000): Promise<KafkaClusterInfo> {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  const frame = await roundTrip(
    host,
    port,
    metadataRequest(correlationId),
    (buf) => (buf.length >= 4 ? buf.readInt32BE(0) + 4 : undefined),
    timeoutMs,
  );
  const r = new Reader(frame, 4);
  if (r.int32BE() !== correlationId) throw new Error('Kafka answered with a wrong correlation id');
  r.int32BE(); // throttle_time_ms
  const brokerCount = r.int32BE();
  const brokers: KafkaClusterInfo['brokers'] = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = r.int32BE();
    const brokerHost = nullableString(r) ?? '';
    const brokerPort = r.int32BE();
    nullableString(r); // rack
    brokers.push({ nodeId, host: brokerHost, port: brokerPort });
  }
  const clusterId = nullableString(r);
  const controllerId = r.int32BE();
  return { clusterId, controllerId, brokers };
}

/** Healthy when the broker answers metadata and lists at least one live broker. */
export async function kafkaHealth(host: string, port: number): Promise<Health> {
  try {
    const info = await describeKafkaCluster(host, port);
    if (info.brokers.length === 0) return unhealthy(`${host}:${port} answers but lists no live broker yet`);
    return healthy(`cluster ${info.clusterId ?? '?'}, ${info.brokers.length} broker(s)`);
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}

const API_VERSIONS_API_KEY = 18;

/**
 * Asks a broker which API versions it supports (ApiVersions v0): the one request a SASL listener answers before
 * authentication, so it probes a broker whose clients must log in.
 */
export async function kafkaApiVersions(host: string, port: number, timeoutMs = 2000): Promise<number> {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  const clientId = Buffer.from('odx-stack');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let o = body.writeInt16BE(API_VERSIONS_API_KEY, 0);
  o = body.writeInt16BE(0, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  clientId.copy(body, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const frame = await roundTrip(
    host,
    port,
    Buffer.concat([size, body]),
    (buf) => (buf.length >= 4 ? buf.readInt32BE(0) + 4 : undefined),
    timeoutMs,
  );
  const r = new Reader(frame, 4);
  if (r.int32BE() !== correlationId) throw new Error('Kafka answered with a wrong correlation id');
  const errorCode = r.int16BE();
  if (errorCode !== 0) throw new Error(`Kafka answered ApiVersions with error code ${errorCode}`);
  return r.int32BE(); // how many APIs it lists
}

/** Healthy when a broker whose listener requires SASL answers ApiVersions (metadata needs a login). */
export async function kafkaSaslListenerHealth(host: string, port: number): Promise<Health> {
  try {
    const apis = await kafkaApiVersions(host, port);
    return healthy(`answers on its SASL listener (${apis} APIs)`);
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}
