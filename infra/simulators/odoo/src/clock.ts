/**
 * The simulator's clock. Timestamps are epoch microseconds, like the
 * PostgreSQL `timestamp` columns behind Odoo's create_date/write_date: the
 * API shows them at second precision ('YYYY-MM-DD HH:MM:SS') but domains and
 * `order` compare the full value, as on a real Odoo.
 */
export interface ClockState {
  frozenAtUs: number | null;
  offsetUs: number;
}

export class SimClock {
  private frozenAtUs: number | null = null;
  private offsetUs = 0;
  private lastUs = 0;

  constructor(private readonly precision: 'microsecond' | 'second') {}

  /** Current simulated time; never goes backwards unless an admin sets it. */
  nowUs(): number {
    if (this.frozenAtUs !== null) return this.frozenAtUs;
    const realUs = Math.floor((performance.timeOrigin + performance.now()) * 1000) + this.offsetUs;
    let now = this.precision === 'second' ? Math.floor(realUs / 1e6) * 1e6 : realUs;
    if (now < this.lastUs) now = this.lastUs;
    this.lastUs = now;
    return now;
  }

  freeze(atUs?: number): void {
    this.frozenAtUs = atUs ?? this.nowUs();
    this.lastUs = Math.max(this.lastUs, this.frozenAtUs);
  }

  unfreeze(): void {
    if (this.frozenAtUs === null) return;
    const frozen = this.frozenAtUs;
    this.frozenAtUs = null;
    // Resume from the frozen instant so time stays monotonic.
    const realUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    if (realUs + this.offsetUs < frozen) this.offsetUs = frozen - realUs;
  }

  advance(seconds: number): void {
    const delta = Math.round(seconds * 1e6);
    if (this.frozenAtUs !== null) this.frozenAtUs += delta;
    this.offsetUs += delta;
    if (delta < 0) this.lastUs = 0;
  }

  state(): ClockState & { now: string; frozen: boolean } {
    return { frozenAtUs: this.frozenAtUs, offsetUs: this.offsetUs, now: formatDatetime(this.nowUs()), frozen: this.frozenAtUs !== null };
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Odoo's Datetime.to_string: UTC, second precision. */
export function formatDatetime(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function formatDate(us: number): string {
  return formatDatetime(us).slice(0, 10);
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses Odoo's datetime string form (or a date, at midnight) into epoch microseconds. */
export function parseDatetime(value: string): number | null {
  const m = DATETIME_RE.exec(value) ?? DATE_RE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  const micro = frac ? Math.round(Number(`0${frac}`) * 1e6) : 0;
  return ms * 1000 + micro;
}

export function isValidDate(value: string): boolean {
  return DATE_RE.test(value) && parseDatetime(value) !== null;
}
