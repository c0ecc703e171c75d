// The one line a benchmark prints per headline figure, after its own tables,
// so `npm run bench:all` (scripts/bench/all.ts) can collect the figures of
// every benchmark into one table without knowing how each prints its own:
//
//   summary: <benchmark> | <figure name> | <value> <unit> | <note or ratio>
//
// e.g. `summary: replay | replay job | 41000 msgs/s | 87 % of raw copy`.
// Cells never hold a `|` (it is replaced by `/`); an empty note prints as `-`.

/** One headline figure of a benchmark. */
export interface SummaryFigure {
  /** What was measured, e.g. `pipeline (each)` or `850 intake, 10 lines`. */
  figure: string;
  /** Not finite (a phase that measured nothing) prints as `n/a`. */
  value: number;
  /** e.g. `events/s`, `ms`, `MiB`. */
  unit: string;
  /** A ratio to the benchmark's own baseline, its target, or what the figure depends on. @default '-' */
  note?: string;
}

/** A summary line read back: the value cell keeps its unit (`11234 events/s`). */
export interface SummaryRow {
  bench: string;
  figure: string;
  value: string;
  note: string;
}

export const SUMMARY_PREFIX = 'summary:';

/** A value as a summary prints it: whole numbers from 100 up, one decimal from 1, two significant digits below. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 1) return String(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(2)));
}

/** `part` as a whole-number percentage of `whole` (`52 %`); `n/a` when `whole` is not a positive number. */
export function percentOf(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return 'n/a';
  return `${Math.round((100 * part) / whole)} %`;
}

/** A cell on one line without the separator. */
function cell(text: string): string {
  return text.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
}

/** The summary line of one figure of `bench`. */
export function summaryLine(bench: string, f: SummaryFigure): string {
  const unit = cell(f.unit);
  return `${SUMMARY_PREFIX} ${cell(bench)} | ${cell(f.figure)} | ${formatValue(f.value)}${unit ? ` ${unit}` : ''} | ${cell(f.note ?? '') || '-'}`;
}

/** Prints `figures` as summary lines on stdout, after a blank line: call it last, after the bench's own output. */
export function printSummary(bench: string, figures: readonly SummaryFigure[]): void {
  if (figures.length === 0) return;
  process.stdout.write(`\n${figures.map((f) => `${summaryLine(bench, f)}\n`).join('')}`);
}

/**
 * Reads one line of a benchmark's output: undefined when it is not a summary
 * line at all, `{ problem }` when it starts like one but does not have the
 * four cells (benchmark, figure, `<number> <unit>` or `n/a`, note).
 */
export function parseSummaryLine(line: string): SummaryRow | { problem: string } | undefined {
  const text = line.trim();
  if (!text.startsWith(SUMMARY_PREFIX)) return undefined;
  const cells = text
    .slice(SUMMARY_PREFIX.length)
    .split('|')
    .map((c) => c.trim());
  if (cells.length !== 4) return { problem: `${cells.length} cells separated by "|", expected 4 (benchmark | figure | value unit | note)` };
  const [bench, figure, value, note] = cells as [string, string, string, string];
  if (!bench) return { problem: 'no benchmark name' };
  if (!figure) return { problem: 'no figure name' };
  if (!/^(-?\d+(\.\d+)?(e[+-]?\d+)?( \S.*)?|n\/a( \S.*)?)$/i.test(value)) return { problem: `value "${value}" is not "<number> <unit>"` };
  return { bench, figure, value, note: note || '-' };
}
