// GET /v1/export's parameters: caps on the days covered, the rows per response and the length of a parameter,
// each a setting, and a 400 naming the parameter, the cap and the setting (the parsing, as pure functions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, toProblem } from '@odx/runtime';
import { loadSinkConfig } from '../../src/config.js';
import { exportPage, nextPageLink } from '../../src/export/export-page.js';
import {
  DEFAULT_EXPORT_LIMITS,
  exportFileName,
  exportQuerySchema,
  exportWindow,
  parseExportQuery,
  type ExportLimits,
} from '../../src/export/export-query.js';

/** The 400 problem the runtime answers for `query`: each field and its message. */
function refusal(query: Record<string, unknown>, limits: ExportLimits = DEFAULT_EXPORT_LIMITS): Array<{ field: string; message: string }> {
  try {
    parseExportQuery(query, limits);
  } catch (err) {
    const problem = toProblem(err);
    assert.equal(problem.status, 400);
    return (problem.extra as { errors: Array<{ field: string; message: string }> }).errors;
  }
  assert.fail(`accepted ${JSON.stringify(query)}`);
}

test('defaults: one day, NDJSON, the row cap as the limit, from the first row', () => {
  assert.deepEqual(DEFAULT_EXPORT_LIMITS, { maxDays: 7, maxRows: 100_000, maxParamLength: 64 });
  assert.deepEqual(parseExportQuery({ day: '2026-01-05' }, DEFAULT_EXPORT_LIMITS), {
    day: '2026-01-05',
    days: 1,
    format: 'ndjson',
    limit: 100_000,
    offset: 0,
  });
  assert.deepEqual(parseExportQuery({ day: '2026-01-05', days: '7', format: 'csv', limit: '500', offset: '1000' }, DEFAULT_EXPORT_LIMITS), {
    day: '2026-01-05',
    days: 7,
    format: 'csv',
    limit: 500,
    offset: 1000,
  });
});

test('over a cap: a 400 naming the parameter, the cap and its setting', () => {
  const limits: ExportLimits = { maxDays: 3, maxRows: 1_000, maxParamLength: 20 };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ day: '2026-01-05', days: '4' }, 'days', /must be at most 3: days one export covers, the cap \(setting ODX_SINK_EXPORT_MAX_DAYS\)/],
    [
      { day: '2026-01-05', limit: '1001' },
      'limit',
      /must be at most 1000: rows one response holds, the cap \(setting ODX_SINK_EXPORT_MAX_ROWS\); page with offset/,
    ],
    [{ day: '2026-01-05'.padEnd(21, ' ') }, 'day', /must be at most 20 characters: the cap \(setting ODX_SINK_EXPORT_MAX_PARAM_LENGTH\)/],
    [
      { day: '2026-01-05', offset: '9'.repeat(21) },
      'offset',
      /must be at most 20 characters: the cap \(setting ODX_SINK_EXPORT_MAX_PARAM_LENGTH\)/,
    ],
    [{ day: '2026-01-05', format: 'x'.repeat(100_000) }, 'format', /must be at most 20 characters/],
  ];
  for (const [query, field, message] of cases) {
    const errors = refusal(query, limits);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.field, field);
    assert.match(errors[0]!.message, message);
  }
});

test('wrong values: each a 400 naming the field', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{}, 'day', /is required/],
    [{ day: '2026-02-30' }, 'day', /must be a day as YYYY-MM-DD/],
    [{ day: ['2026-01-05', '2026-01-06'] }, 'day', /must be given once, as text/],
    [{ day: '2026-01-05', days: '0' }, 'days', /must be at least 1/],
    [{ day: '2026-01-05', days: '1.5' }, 'days', /must be a whole number/],
    [{ day: '2026-01-05', days: '-1' }, 'days', /must be a whole number/],
    [{ day: '2026-01-05', days: '1e3' }, 'days', /must be a whole number/],
    [{ day: '2026-01-05', limit: '0' }, 'limit', /must be at least 1/],
    [{ day: '2026-01-05', offset: '1000000001' }, 'offset', /must be at most 1000000000/],
    [{ day: '2026-01-05', format: 'xlsx' }, 'format', /must be ndjson or csv/],
    [{ day: '2026-01-05', from: '2026-01-01' }, '(body)', /from/],
  ];
  for (const [query, field, message] of cases) {
    const errors = refusal(query);
    assert.ok(
      errors.some((e) => e.field === field && message.test(e.message)),
      `${JSON.stringify(query).slice(0, 80)}: ${JSON.stringify(errors)}`,
    );
  }
});

test('property: any query is parsed within the caps or refused with a 400, never another error', () => {
  const value = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.stringMatching(/^\d{1,12}$/),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.constant(undefined),
  );
  const limits = fc.record({
    maxDays: fc.integer({ min: 1, max: 366 }),
    maxRows: fc.integer({ min: 1, max: 1e7 }),
    maxParamLength: fc.integer({ min: 16, max: 200 }),
  });
  fc.assert(
    fc.property(
      fc.record(
        {
          day: fc.oneof(
            value,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
          ),
          days: value,
          format: value,
          limit: value,
          offset: value,
        },
        { requiredKeys: [] },
      ),
      limits,
      (query, caps) => {
        const parsed = exportQuerySchema(caps).safeParse(query);
        if (!parsed.success) {
          assert.equal(toProblem(parsed.error).status, 400);
          return;
        }
        const q = parsed.data;
        assert.ok(q.days >= 1 && q.days <= caps.maxDays);
        assert.ok(q.limit >= 1 && q.limit <= caps.maxRows);
        assert.ok(Number.isSafeInteger(q.offset) && q.offset >= 0);
        const { from, to } = exportWindow(q);
        assert.equal(to.getTime() - from.getTime(), q.days * 86_400_000);
      },
    ),
    { numRuns: 2_000 },
  );
});

test('the window, the file name and the pages', () => {
  const q = parseExportQuery({ day: '2026-12-30', days: '3', format: 'csv', limit: '2' }, DEFAULT_EXPORT_LIMITS);
  assert.deepEqual(exportWindow(q), { from: new Date('2026-12-30T00:00:00Z'), to: new Date('2027-01-02T00:00:00Z') });
  assert.equal(exportFileName(q), 'odx-events-2026-12-30_2027-01-01.csv');
  assert.equal(exportFileName({ day: '2026-01-05', days: 1, format: 'ndjson' }), 'odx-events-2026-01-05.ndjson');
  const rows = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(exportPage(rows, { limit: 2, offset: 0 }), { rows: ['a', 'b'], total: 5, nextOffset: 2 });
  assert.deepEqual(exportPage(rows, { limit: 2, offset: 4 }), { rows: ['e'], total: 5, nextOffset: null });
  assert.deepEqual(exportPage(rows, { limit: 5, offset: 0 }), { rows, total: 5, nextOffset: null });
  assert.deepEqual(exportPage(rows, { limit: 2, offset: 9 }), { rows: [], total: 5, nextOffset: null });
  assert.equal(nextPageLink('/v1/export', q, 2), '</v1/export?day=2026-12-30&days=3&format=csv&limit=2&offset=2>; rel="next"');
  // Every row once, over the pages the links lead to.
  const seen: string[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page: ReturnType<typeof exportPage<string>> = exportPage(rows, { limit: 2, offset });
    seen.push(...page.rows);
    offset = page.nextOffset;
  }
  assert.deepEqual(seen, rows);
});

test('config: ODX_SINK_EXPORT_MAX_DAYS, _MAX_ROWS and _MAX_PARAM_LENGTH set the caps; bad values name the variable', () => {
  assert.deepEqual(loadSinkConfig({}).exportLimits, DEFAULT_EXPORT_LIMITS);
  assert.deepEqual(
    loadSinkConfig({ ODX_SINK_EXPORT_MAX_DAYS: '31', ODX_SINK_EXPORT_MAX_ROWS: '5000', ODX_SINK_EXPORT_MAX_PARAM_LENGTH: '32' })
      .exportLimits,
    { maxDays: 31, maxRows: 5000, maxParamLength: 32 },
  );
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ ODX_SINK_EXPORT_MAX_DAYS: '0' }, /ODX_SINK_EXPORT_MAX_DAYS/],
    [{ ODX_SINK_EXPORT_MAX_DAYS: '400' }, /ODX_SINK_EXPORT_MAX_DAYS: at most 366/],
    [{ ODX_SINK_EXPORT_MAX_ROWS: 'many' }, /ODX_SINK_EXPORT_MAX_ROWS/],
    [{ ODX_SINK_EXPORT_MAX_ROWS: '20000000' }, /ODX_SINK_EXPORT_MAX_ROWS: at most 10000000/],
    [{ ODX_SINK_EXPORT_MAX_PARAM_LENGTH: '8' }, /ODX_SINK_EXPORT_MAX_PARAM_LENGTH: at least 16/],
  ];
  for (const [env, message] of bad)
    assert.throws(
      () => loadSinkConfig(env),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      JSON.stringify(env),
    );
});
