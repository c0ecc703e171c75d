import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_TYPES, loadEventSchema, parseAvroSchema } from '@odx/schemas';
import avsc from 'avsc';
import fc from 'fast-check';
import { AvroBoundsError, MAX_ZERO_SIZE_ITEMS, avroBoundsChecker } from '../../src/serde/avro-bounds.js';

/** Zigzag varint, as Avro writes an int or long. */
function long(n: number): Buffer {
  return avsc.Type.forSchema('long').toBuffer(n);
}

const cpuMs = (f: () => void): number => {
  const before = process.cpuUsage();
  try {
    f();
  } catch {
    // timed either way
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

const arrays = {
  longs: avsc.Type.forSchema({ type: 'array', items: 'long' }),
  nulls: avsc.Type.forSchema({ type: 'array', items: 'null' }),
  strings: avsc.Type.forSchema({ type: 'map', values: 'string' }),
  records: avsc.Type.forSchema({ type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'q', type: 'double' }] } }),
};

const hostile: Array<[string, avsc.Type, Buffer, RegExp]> = [
  ['an array block of 5 million longs in 4 bytes', arrays.longs, long(5_000_000), /block of 5000000 items in 0 bytes/],
  ['an array block of 2^50 longs', arrays.longs, Buffer.concat([long(2 ** 50), Buffer.from([2, 2, 2])]), /items in 3 bytes/],
  [
    'a negative block count with a lying block size',
    arrays.longs,
    Buffer.concat([long(-3), long(1_000_000), Buffer.from([2])]),
    /block of 1000000 bytes/,
  ],
  ['a million nulls', arrays.nulls, long(1_000_000), new RegExp(`more than ${MAX_ZERO_SIZE_ITEMS} items`)],
  ['a map of 5 million entries', arrays.strings, Buffer.concat([long(5_000_000), Buffer.from([0, 0])]), /map block of 5000000 items/],
  ['a string of a billion bytes', avsc.Type.forSchema('string'), long(1e9), /string or bytes of 1000000000 bytes/],
  ['a negative string length', avsc.Type.forSchema('string'), long(-5), /of -5 bytes/],
  ['records of 8-byte doubles, more than fit', arrays.records, Buffer.concat([long(3), Buffer.alloc(16)]), /block of 3 items in 16 bytes/],
  ['a number of 11 bytes', avsc.Type.forSchema('long'), Buffer.alloc(11, 0xff), /longer than 10 bytes/],
  ['a union branch that does not exist', avsc.Type.forSchema(['null', 'string']), long(7), /union branch 7 of 2/],
];

for (const [name, type, body, expected] of hostile) {
  test(`Avro body refused before decoding: ${name}`, () => {
    const check = avroBoundsChecker(type);
    assert.throws(
      () => check(body),
      (err: unknown) => err instanceof AvroBoundsError && expected.test(err.message),
    );
    assert.ok(cpuMs(() => check(body)) < 50);
  });
}

test('without the check, avsc follows a hostile block count (the reason for it)', () => {
  const ms = cpuMs(() => arrays.longs.fromBuffer(long(2_000_000)));
  assert.ok(ms > cpuMs(() => avroBoundsChecker(arrays.longs)(long(2_000_000))));
});

test('every event schema: what avsc writes passes the check, whole; any cut of it is refused or decodes', () => {
  for (const eventType of EVENT_TYPES) {
    const type = parseAvroSchema(loadEventSchema(eventType));
    const check = avroBoundsChecker(type);
    const raw = avsc.Type.forSchema(loadEventSchema(eventType) as avsc.Schema);
    fc.assert(
      fc.property(fc.nat(), (cut) => {
        const body = raw.toBuffer(raw.random());
        check(body);
        const part = body.subarray(0, cut % (body.length + 1));
        try {
          check(part);
        } catch (err) {
          assert.ok(err instanceof AvroBoundsError, String(err));
        }
      }),
      { numRuns: 20 },
    );
  }
});

test('random bytes are refused or read, in time linear in their length', () => {
  const type = parseAvroSchema(loadEventSchema(EVENT_TYPES[0]!));
  const check = avroBoundsChecker(type);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const body = Buffer.from(bytes);
      const ms = cpuMs(() => {
        check(body);
        type.fromBuffer(body);
      });
      assert.ok(ms < 50, `${body.length} bytes took ${ms} ms`);
    }),
    { numRuns: 300 },
  );
});
