// The unpatched kafkajs codec, for codec-fix.test.ts: reads cases as JSON on stdin, encodes each as kafkajs
// would (a RecordBatch of Records), decodes the bytes back with kafkajs's own decoders, and prints the results
// as JSON. It runs in a process of its own so that nothing of codec-fix.ts is installed in it.
'use strict';
const path = require('node:path');

const src = path.join(path.dirname(require.resolve('kafkajs')), 'src');
const Encoder = require(path.join(src, 'protocol/encoder.js'));
const Decoder = require(path.join(src, 'protocol/decoder.js'));
const Record = require(path.join(src, 'protocol/recordBatch/record/v0/index.js'));
const RecordBatch = require(path.join(src, 'protocol/recordBatch/v0/index.js')).RecordBatch;
const decodeRecord = require(path.join(src, 'protocol/recordBatch/record/v0/decoder.js'));
const decodeBatch = require(path.join(src, 'protocol/recordBatch/v0/decoder.js'));
const { encodeCase } = require('./kafkajs-codec-cases.cjs');

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const cases = JSON.parse(input);
  const out = [];
  for (const c of cases) out.push(await encodeCase(c, { Encoder, Decoder, Record, RecordBatch, decodeRecord, decodeBatch }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
