import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecimalError, formatDecimal, parseAvroSchema, parseDecimal } from '../src/index.js';
import { fromTwosComplement, toTwosComplement } from '../src/decimal.js';

const money = parseAvroSchema({ type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 });
const roundTrip = (value: string): unknown => money.fromBuffer(money.toBuffer(value));

describe('decimal logical type', () => {
  it('round-trips edge values exactly', () => {
    for (const [input, expected] of [
      ['0.0001', '0.0001'],
      ['-12.5000', '-12.5000'],
      ['-12.5', '-12.5000'],
      ['99999999999999.9999', '99999999999999.9999'],
      ['-99999999999999.9999', '-99999999999999.9999'],
      ['0', '0.0000'],
      ['-0.0000', '0.0000'],
      ['+7', '7.0000'],
      ['1.23450000', '1.2345'],
      ['0128.5', '128.5000'],
    ]) {
      assert.equal(roundTrip(input as string), expected, input);
    }
  });

  it("encodes as minimal two's-complement big-endian bytes", () => {
    assert.deepEqual([...toTwosComplement(0n)], [0x00]);
    assert.deepEqual([...toTwosComplement(127n)], [0x7f]);
    assert.deepEqual([...toTwosComplement(128n)], [0x00, 0x80]);
    assert.deepEqual([...toTwosComplement(-1n)], [0xff]);
    assert.deepEqual([...toTwosComplement(-128n)], [0x80]);
    assert.deepEqual([...toTwosComplement(-129n)], [0xff, 0x7f]);
    // "-12.5000" at scale 4 is -125000 = 0xfe17b8 (2^24 - 125000).
    assert.deepEqual([...toTwosComplement(parseDecimal('-12.5000', { precision: 18, scale: 4 }))], [0xfe, 0x17, 0xb8]);
  });

  it('rejects malformed, too precise and too large values with a clear error', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['1e5', /"1e5" is not a plain decimal string/],
      ['abc', /"abc" is not a plain decimal string/],
      ['', /"" is not a plain decimal string/],
      [' 1.0', /not a plain decimal string/],
      ['.5', /not a plain decimal string/],
      ['1.23456', /decimal\(18,4\): "1.23456" has 5 digits after the point; at most 4 fit/],
      ['100000000000000', /needs 19 digits; precision is 18 \(at most 14 before the point\)/],
      [12.34, /expected a decimal string.*got the number 12.34/],
      [null, /expected a decimal string/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => money.toBuffer(value),
        (err: unknown) => err instanceof DecimalError && message.test(err.message),
        String(value),
      );
      assert.equal(money.isValid(value), false);
    }
  });

  it('round-trips any decimal string within precision (property)', () => {
    const spec = { precision: 18, scale: 4 };
    const max = 10n ** 18n - 1n;
    fc.assert(
      fc.property(fc.bigInt({ min: -max, max }), (unscaled) => {
        const text = formatDecimal(unscaled, spec.scale);
        assert.equal(roundTrip(text), text);
        assert.equal(fromTwosComplement(toTwosComplement(unscaled)), unscaled);
      }),
      { numRuns: 2000 },
    );
  });

  it('pads shorter fractions to the scale (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 14n) + 1n, max: 10n ** 14n - 1n }), fc.integer({ min: 0, max: 4 }), (intPart, digits) => {
        const fraction = '7'.repeat(digits);
        const text = digits ? `${intPart}.${fraction}` : `${intPart}`;
        assert.equal(roundTrip(text), `${intPart}.${fraction.padEnd(4, '0')}`);
      }),
    );
  });

  it('supports scale 0 and rejects invalid specs', () => {
    const units = parseAvroSchema({ type: 'bytes', logicalType: 'decimal', precision: 5 });
    assert.equal(units.fromBuffer(units.toBuffer('-42')), '-42');
    assert.throws(() => units.toBuffer('1.5'), /at most 0 fit/);
    assert.throws(
      () => parseAvroSchema({ type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 }),
      /"scale" must be an integer from 0 to precision/,
    );
  });
});

describe('timestamp-millis logical type', () => {
  const ts = parseAvroSchema({ type: 'long', logicalType: 'timestamp-millis' });
  it('maps long <-> Date', () => {
    const d = new Date('2025-03-14T09:30:00.123Z');
    const decoded = ts.fromBuffer(ts.toBuffer(d)) as Date;
    assert.ok(decoded instanceof Date);
    assert.equal(decoded.getTime(), d.getTime());
    assert.equal((ts.fromBuffer(ts.toBuffer(0)) as Date).toISOString(), '1970-01-01T00:00:00.000Z');
  });
  it('rejects non-dates', () => {
    assert.throws(() => ts.toBuffer('2025-03-14'), /timestamp-millis: expected a Date, got string/);
    assert.throws(() => ts.toBuffer(new Date('nope')), /invalid Date/);
  });
});

describe('decimal logical type under hostile bytes', () => {
  it('refuses more bytes than its precision needs, before making a BigInt of them', () => {
    const bytes = parseAvroSchema('bytes');
    // 18 digits fit in 8 bytes; the largest values of precision 18 still read.
    assert.equal(money.fromBuffer(money.toBuffer('99999999999999.9999')), '99999999999999.9999');
    const huge = bytes.toBuffer(Buffer.alloc(1_000_000, 0x7f));
    const before = process.cpuUsage();
    assert.throws(() => money.fromBuffer(huge), /1000000 bytes, more than the 40 a value of 18 digits can take/);
    // Sign-extension padding is read as the same value.
    const padded = bytes.toBuffer(Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0x85])]));
    assert.equal(money.fromBuffer(padded), '-0.0123');
    const used = process.cpuUsage(before);
    assert.ok((used.user + used.system) / 1000 < 100);
  });

  it('every value within the precision reads back (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }), (unscaled) => {
        const text = formatDecimal(unscaled, 4);
        assert.equal(money.fromBuffer(money.toBuffer(text)), text);
      }),
      { numRuns: 200 },
    );
  });
});
