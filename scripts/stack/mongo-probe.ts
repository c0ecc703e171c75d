import { healthy, unhealthy, type Health } from './health.js';
import { Reader, roundTrip } from './wire.js';

const OP_MSG = 2013;

/** BSON for `{ ping: 1, $db: "admin" }`. */
function pingDocument(): Buffer {
  const db = Buffer.from('admin\0');
  const parts = [
    Buffer.from([0x10]), Buffer.from('ping\0'), int32LE(1),
    Buffer.from([0x02]), Buffer.from('$db\0'), int32LE(db.length), db,
    Buffer.from([0x00]),
  ];
  const content = Buffer.concat(parts);
  return Buffer.concat([int32LE(content.length + 4), content]);
}

function int32LE(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

function opMsg(requestId: number, doc: Buffer): Buffer {
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: body
  return Buffer.concat([header, doc]);
}

/** Reads the top-level `ok` and `errmsg` fields of a BSON document. */
function readReply(r: Reader): { ok: number | undefined; errmsg: string | undefined } {
  const end = r.position + r.int32LE() - 1;
  let ok: number | undefined;
  let errmsg: string | undefined;
  while (r.position < end) {
    const type = r.int8();
    const name = r.cstring();
    let value: number | string | undefined;
    switch (type) {
      case 0x01: value = r.doubleLE(); break;
      case 0x02: value = r.utf8(r.int32LE()).replace(/\0$/, ''); break;
      case 0x03: case 0x04: r.skip(r.int32LE() - 4); break; // document, array
      case 0x05: r.skip(r.int32LE() + 1); break; // binary: length + subtype
      case 0x07: r.skip(12); break; // ObjectId
      case 0x08: value = r.int8(); break; // bool
      case 0x09: case 0x11: case 0x12: value = Number(r.int64LE()); break;
      case 0x0a: break; // null
      case 0x10: value = r.int32LE(); break;
      case 0x13: r.skip(16); break; // decimal128
      default: throw new Error(`unexpected BSON type 0x${type.toString(16)} in reply`);
    }
    if (name === 'ok' && typeof value === 'number') ok = value;
    if (name === 'errmsg' && typeof value === 'string') errmsg = value;
    if (ok !== undefined && (ok === 1 || errmsg !== undefined)) break;
  }
  return { ok, errmsg };
}

/** Sends `ping` over the MongoDB wire protocol (OP_MSG); healthy on `ok: 1`. */
export async function mongoHealth(host: string, port: number, timeoutMs = 2000): Promise<Health> {
  try {
    const requestId = Math.floor(Math.random() * 0x7fffffff);
    const frame = await roundTrip(
      host,
      port,
      opMsg(requestId, pingDocument()),
      (buf) => (buf.length >= 4 ? buf.readInt32LE(0) : undefined),
      timeoutMs,
    );
    const r = new Reader(frame, 0);
    r.skip(12);
    const opCode = r.int32LE();
    if (opCode !== OP_MSG) return unhealthy(`${host}:${port} answered with opCode ${opCode}, not OP_MSG`);
    r.skip(4 + 1); // flagBits, section kind
    const reply = readReply(r);
    if (reply.ok === 1) return healthy(`${host}:${port} answers ping`);
    return unhealthy(`${host}:${port} ping failed: ${reply.errmsg ?? 'ok is not 1'}`);
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}

/** First host:port of a mongodb:// URL (mongodb+srv cannot be probed without DNS SRV). */
export function mongoAddress(url: string): { host: string; port: number } | undefined {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(url);
  const hostPort = match?.[1];
  if (!hostPort) return undefined;
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (ipv6?.[1]) return { host: ipv6[1], port: Number(ipv6[2] ?? 27017) };
  const [host = '', portText] = hostPort.split(':');
  return { host, port: Number(portText ?? 27017) };
}
