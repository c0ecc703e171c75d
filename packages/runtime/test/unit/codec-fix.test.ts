import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { fixKafkajsCodec, kafkajsCodec } from '../../src/kafka/codec-fix.js';

const require = createRequire(import.meta.url);
const support = join(dirname(fileURLToPath(import.meta.url)), '..', 'support');
const kafkajsSrc = join(dirname(require.resolve('kafkajs')), 'src');

type Bytes = null | { kind: 'string'; text: string } | { kind: 'bytes'; base64: string };
interface CodecCase {
  compression: number;
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  records: Array<{ offsetDelta: number; timestampDelta: number; key: Bytes; value: Bytes; headers: Array<[string, Bytes]> }>;
  contexts: Array<Record<string, unknown>>;
}
interface CaseResult {
  bytes: string;
  records: unknown[];
  direct: unknown[][];
}

const bytesArb = (max: number): fc.Arbitrary<Bytes> =>
  fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 40 }).map((text) => ({ kind: 'string' as const, text })),
    fc.uint8Array({ maxLength: max }).map((a) => ({ kind: 'bytes' as const, base64: Buffer.from(a).toString('base64') })),
  );
/** Header values: kafkajs cannot encode a null header value, so strings or bytes only. */
const headerValueArb = fc.oneof(
  fc.string({ maxLength: 60 }).map((text) => ({ kind: 'string' as const, text })),
  fc.uint8Array({ maxLength: 80 }).map((a) => ({ kind: 'bytes' as const, base64: Buffer.from(a).toString('base64') })),
);
const decimal = (min: bigint, max: bigint): fc.Arbitrary<string> => fc.bigInt({ min, max }).map(String);
/** Batch contexts the record decoder meets: create time, log-append time, offsets and timestamps past 2^53. */
const contextArb = fc.record({
  firstOffset: fc.oneof(decimal(0n, 10n ** 12n), decimal(2n ** 53n - 5n, 2n ** 62n)),
  firstTimestamp: fc.oneof(decimal(-1n, -1n), decimal(1_600_000_000_000n, 1_900_000_000_000n), decimal(2n ** 53n, 2n ** 62n)),
  maxTimestamp: decimal(1_600_000_000_000n, 1_900_000_000_000n),
  timestampType: fc.constantFrom(0, 1),
  magicByte: fc.constant(2),
  isControlBatch: fc.boolean(),
});
const caseArb: fc.Arbitrary<CodecCase> = fc.record({
  compression: fc.constantFrom(0, 0, 1), // none, none, gzip
  firstOffset: decimal(0n, 10n ** 12n),
  firstTimestamp: decimal(1_600_000_000_000n, 1_900_000_000_000n),
  maxTimestamp: decimal(1_600_000_000_000n, 1_900_000_000_000n),
  records: fc.array(
    fc.record({
      offsetDelta: fc.nat({ max: 100_000 }),
      // Varlongs of up to 9 bytes: past the fix's 7-byte number path into kafkajs's BigInt one.
      timestampDelta: fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 })),
      key: bytesArb(64),
      value: fc.oneof(bytesArb(300), bytesArb(6_000)), // past Node's 4 KB pool threshold
      headers: fc.array(fc.tuple(fc.constantFrom('ce_id', 'ce_type', 'traceparent', 'x', ''), headerValueArb), { maxLength: 12 }),
    }),
    { maxLength: 20 },
  ),
  contexts: fc.array(contextArb, { minLength: 1, maxLength: 3 }),
});

test('kafkajs as installed still has the shapes the fix relies on', () => {
  const codec = kafkajsCodec();
  assert.ok(codec, 'kafkajs ships src/protocol/encoder.js, utils/long.js and the record decoders');
  const encoderSource = readFileSync(join(kafkajsSrc, 'protocol/encoder.js'), 'utf8');
  assert.match(
    encoderSource,
    /this\.buf = Buffer\.alloc\(Encoder\.nextPowerOfTwo\(initialSize\)\)/,
    'the constructor sizes its buffer through nextPowerOfTwo',
  );
  // nextPowerOfTwo: its definition, the constructor and ensureAvailable, nothing else in kafkajs.
  const uses = (dir: string): number =>
    readdirSync(dir).reduce((n, name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return n + uses(p);
      return name.endsWith('.js') && !name.endsWith('.spec.js') ? n + (readFileSync(p, 'utf8').match(/nextPowerOfTwo\(/g)?.length ?? 0) : n;
    }, 0);
  assert.equal(uses(kafkajsSrc), 3);
  assert.equal(codec.cache[codec.recordBatchDecoderPath], undefined, 'nothing has decoded a fetch yet in this process');
});

test('refused, and nothing patched, when kafkajs already loaded its batch decoder', () => {
  const real = kafkajsCodec()!;
  let patched = false;
  const Encoder = function () {} as unknown as NonNullable<ReturnType<typeof kafkajsCodec>>['Encoder'];
  Encoder.nextPowerOfTwo = () => 512;
  const fake = { ...real, Encoder, cache: { [real.recordBatchDecoderPath]: {} as NodeJS.Module }, load: () => (patched = true) };
  assert.equal(fixKafkajsCodec(fake), false);
  assert.equal(patched, false);
  assert.equal(Encoder.nextPowerOfTwo(3), 512);
  assert.equal(fixKafkajsCodec(null), false);
});

test('patched kafkajs writes and reads exactly what unpatched kafkajs does (property test, 150 random batches)', async () => {
  // As JSON, as the reference process sees them (fast-check's records have no prototype).
  const cases = JSON.parse(JSON.stringify(fc.sample(caseArb, { numRuns: 150, seed: 1751 }))) as CodecCase[];
  cases.push({
    // The ODX wire format's shape: a 1 KB value and a CloudEvents header set, repeated keys included.
    compression: 0,
    firstOffset: '41',
    firstTimestamp: '1765000000000',
    maxTimestamp: '1765000000999',
    records: Array.from({ length: 50 }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: i * 3,
      key: { kind: 'string', text: `SO${i}` },
      value: { kind: 'bytes', base64: Buffer.alloc(1_100, i).toString('base64') },
      headers: [
        ['ce_specversion', { kind: 'string', text: '1.0' }],
        ['ce_id', { kind: 'string', text: `id-${i}` }],
        ['ce_type', { kind: 'string', text: 'com.odx.events.OrderConfirmed' }],
        ['x', { kind: 'string', text: 'a' }],
        ['x', { kind: 'string', text: 'b' }],
        ['x', { kind: 'string', text: 'c' }],
      ],
    })),
    contexts: [
      { firstOffset: '9007199254740990', firstTimestamp: '1765000000000', maxTimestamp: '1765000009999', timestampType: 1, magicByte: 2 },
    ],
  });

  const reference = spawnSync(process.execPath, [join(support, 'kafkajs-codec-reference.cjs')], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(reference.status, 0, reference.stderr);
  const expected = JSON.parse(reference.stdout) as CaseResult[];

  assert.equal(fixKafkajsCodec(), true);
  assert.equal(fixKafkajsCodec(), true, 'a second install is a no-op');
  const mods = {
    Encoder: require(join(kafkajsSrc, 'protocol/encoder.js')) as unknown,
    Decoder: require(join(kafkajsSrc, 'protocol/decoder.js')) as unknown,
    Record: require(join(kafkajsSrc, 'protocol/recordBatch/record/v0/index.js')) as unknown,
    RecordBatch: (require(join(kafkajsSrc, 'protocol/recordBatch/v0/index.js')) as { RecordBatch: unknown }).RecordBatch,
    decodeRecord: require(join(kafkajsSrc, 'protocol/recordBatch/record/v0/decoder.js')) as unknown,
    decodeBatch: require(join(kafkajsSrc, 'protocol/recordBatch/v0/decoder.js')) as unknown,
  };
  assert.notEqual((mods.decodeRecord as { name?: string }).name, 'module.exports', 'the record decoder is the fix');
  const { encodeCase } = require(join(support, 'kafkajs-codec-cases.cjs')) as {
    encodeCase(c: CodecCase, m: typeof mods): Promise<CaseResult>;
  };
  for (const [i, c] of cases.entries()) {
    const actual = await encodeCase(c, mods);
    assert.equal(actual.bytes, expected[i]!.bytes, `case ${i}: encoded bytes`);
    assert.deepEqual(actual.records, expected[i]!.records, `case ${i}: decoded batch`);
    assert.deepEqual(actual.direct, expected[i]!.direct, `case ${i}: records under other batch contexts`);
  }
});
