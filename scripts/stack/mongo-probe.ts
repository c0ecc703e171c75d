import { decodeDocument, encodeDocument, type BsonDocument } from './bson.js';
import { healthy, unhealthy, type Health } from './health.js';
import { roundTrip } from './wire.js';

const OP_MSG = 2013;
/** Where the probe writes; a database of its own so it never touches ODX data. */
export const HEALTH_DATABASE = 'odx_health';
export const HEALTH_COLLECTION = 'odx_stack_health';
/** One document for every prober: the probe needs a write, not a history. */
const HEALTH_DOC_ID = 'stack-probe';

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

/** A command that got no usable answer; `timedOut` tells a hang from an error. */
class CommandFailure extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** Sends one command on a fresh connection and returns the reply body; throws CommandFailure. */
async function runCommand(host: string, port: number, command: BsonDocument, timeoutMs: number): Promise<BsonDocument> {
  let frame: Buffer;
  try {
    const requestId = Math.floor(Math.random() * 0x7fffffff);
    frame = await roundTrip(
      host,
      port,
      opMsg(requestId, encodeDocument(command)),
      (buf) => (buf.length >= 4 ? buf.readInt32LE(0) : undefined),
      timeoutMs,
    );
  } catch (error) {
    // wire.ts prefixes errors with host:port; the probe's detail names it once.
    const message = (error as Error).message.replace(`${host}:${port}: `, '');
    throw new CommandFailure(message, message.startsWith('no answer'));
  }
  const opCode = frame.readInt32LE(12);
  if (opCode !== OP_MSG) throw new CommandFailure(`answered with opCode ${opCode}, not OP_MSG`, false);
  if (frame.readUInt8(20) !== 0) throw new CommandFailure('reply does not start with a body section', false);
  const reply = decodeDocument(frame, 21).doc;
  if (reply.ok !== 1) {
    const errmsg = typeof reply.errmsg === 'string' ? reply.errmsg : 'ok is not 1';
    throw new CommandFailure(`${errmsg}${typeof reply.code === 'number' ? ` (code ${reply.code})` : ''}`, false);
  }
  return reply;
}

/** Upserts the probe document; fails on write errors or when nothing was written. */
async function writeStep(host: string, port: number, timeoutMs: number, at: Date): Promise<void> {
  const reply = await runCommand(
    host,
    port,
    {
      update: HEALTH_COLLECTION,
      updates: [{ q: { _id: HEALTH_DOC_ID }, u: { $set: { at, pid: process.pid } }, upsert: true }],
      $db: HEALTH_DATABASE,
    },
    timeoutMs,
  );
  const writeErrors = reply.writeErrors;
  if (Array.isArray(writeErrors) && writeErrors.length > 0)
    throw new CommandFailure(`write error: ${JSON.stringify(writeErrors[0])}`, false);
  if (reply.n !== 1) throw new CommandFailure(`upsert reported n=${String(reply.n)}, expected 1`, false);
}

/** Finds the probe document by _id. */
async function readStep(host: string, port: number, timeoutMs: number): Promise<void> {
  const reply = await runCommand(
    host,
    port,
    {
      find: HEALTH_COLLECTION,
      filter: { _id: HEALTH_DOC_ID },
      limit: 1,
      singleBatch: true,
      $db: HEALTH_DATABASE,
    },
    timeoutMs,
  );
  const cursor = reply.cursor;
  const batch = cursor && typeof cursor === 'object' && !Array.isArray(cursor) && !(cursor instanceof Date) ? cursor.firstBatch : undefined;
  if (!Array.isArray(batch) || batch.length !== 1)
    throw new CommandFailure(`find returned ${Array.isArray(batch) ? batch.length : 'no'} documents, expected the one just written`, false);
}

/** Lists databases; the server computes each one's size, which needs one of its connections. */
async function databasesStep(host: string, port: number, timeoutMs: number): Promise<void> {
  const reply = await runCommand(host, port, { listDatabases: 1, nameOnly: true, $db: 'admin' }, timeoutMs);
  if (!Array.isArray(reply.databases)) throw new CommandFailure('listDatabases returned no databases array', false);
}

/** Probe steps in order; each must answer within the step timeout. */
const STEPS = [
  {
    name: 'ping',
    run: (host: string, port: number, ms: number) => runCommand(host, port, { ping: 1, $db: 'admin' }, ms).then(() => undefined),
  },
  { name: 'write', run: (host: string, port: number, ms: number) => writeStep(host, port, ms, new Date()) },
  { name: 'read', run: (host: string, port: number, ms: number) => readStep(host, port, ms) },
  { name: 'listDatabases', run: (host: string, port: number, ms: number) => databasesStep(host, port, ms) },
] as const;

export type MongoProbeStep = (typeof STEPS)[number]['name'];

/**
 * Probes a MongoDB wire server with real data commands: `ping`, an upsert
 * into `odx_health.odx_stack_health`, a find of that document by _id, then
 * `listDatabases`. `ping` alone misses FerretDB's wedged states (data
 * commands hang while `ping` still answers). FerretDB's SQLite backend has
 * one connection pool per database, so a wedge in an ODX database leaves the
 * probe's own database working: `listDatabases` reaches every database (it
 * sizes each one on one of that database's connections) and hangs there.
 * Each step has its own deadline; the detail names the step that failed.
 * @default timeoutMs 2000 (per step)
 */
export async function mongoHealth(host: string, port: number, timeoutMs = 2000): Promise<Health> {
  const started = Date.now();
  const passed: MongoProbeStep[] = [];
  for (const step of STEPS) {
    try {
      await step.run(host, port, timeoutMs);
      passed.push(step.name);
    } catch (error) {
      const failure = error instanceof CommandFailure ? error : new CommandFailure((error as Error).message, false);
      const after = passed.length > 0 ? ` (${passed.join(', ')} answered)` : '';
      return unhealthy(
        failure.timedOut
          ? `${step.name} timed out after ${timeoutMs} ms at ${host}:${port}${after}`
          : `${step.name} failed at ${host}:${port}: ${failure.message}${after}`,
      );
    }
  }
  return healthy(`${host}:${port} answers ping, write, read and listDatabases (${Date.now() - started} ms)`);
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
