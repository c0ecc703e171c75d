// One codec case, encoded and decoded with whichever kafkajs modules are passed in: the unpatched ones in
// kafkajs-codec-reference.cjs, the patched ones in codec-fix.test.ts. A case is plain JSON (buffers in base64).
'use strict';

const b64 = (buf) => (buf == null ? null : Buffer.from(buf).toString('base64'));
const toBuffer = (v) => (v == null ? v : v.kind === 'string' ? v.text : Buffer.from(v.base64, 'base64'));

/** A decoded record as JSON: buffers in base64, header values as arrays of base64. */
function plainRecord(r) {
  const headers = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k] = Array.isArray(v) ? { many: v.map(b64) } : b64(v);
  return {
    magicByte: r.magicByte,
    attributes: r.attributes,
    timestamp: r.timestamp,
    offset: r.offset,
    key: b64(r.key),
    value: b64(r.value),
    headers,
    headerOrder: Object.keys(r.headers),
    isControlRecord: r.isControlRecord,
    batchContext: r.batchContext,
  };
}

/**
 * case: { compression, firstOffset, firstTimestamp, maxTimestamp, records: [{ offsetDelta, timestampDelta,
 * key, value, headers: [[name, value]] }], contexts: [batchContext] } where key/value/header values are
 * null or { kind: 'string', text } or { kind: 'bytes', base64 }.
 */
async function encodeCase(c, { Decoder, Record, RecordBatch, decodeRecord, decodeBatch }) {
  const records = c.records.map((r) => {
    const headers = {};
    for (const [name, value] of r.headers) {
      const v = toBuffer(value);
      headers[name] = name in headers ? [].concat(headers[name], [v]) : v;
    }
    return Record({
      offsetDelta: r.offsetDelta,
      timestampDelta: r.timestampDelta,
      key: toBuffer(r.key),
      value: toBuffer(r.value),
      headers,
    });
  });
  const batch = await RecordBatch({
    compression: c.compression,
    firstOffset: c.firstOffset,
    firstTimestamp: c.firstTimestamp,
    maxTimestamp: c.maxTimestamp,
    lastOffsetDelta: Math.max(0, c.records.length - 1),
    records,
  });
  const bytes = batch.buffer;
  const decoded = await decodeBatch(new Decoder(bytes));
  // Each record's body decoded on its own under other batch contexts (log-append time, offsets past 2^53).
  const direct = c.contexts.map((ctx) =>
    records.map((rec) => plainRecord(decodeRecord(new Decoder(new Decoder(rec.buffer).readVarIntBytes()), ctx))),
  );
  return { bytes: b64(bytes), records: decoded.records.map(plainRecord), direct };
}

module.exports = { encodeCase, plainRecord };
