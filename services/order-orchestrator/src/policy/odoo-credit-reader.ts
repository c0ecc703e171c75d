import { PermanentError, RestClient, TransientError, type CircuitBreakerOptions, type OdxError } from '@odx/runtime';
import { formatUnits, PolicyInputError, toUnits } from './amounts.js';

export interface OdooCreditReaderOptions {
  /** Odoo's base URL, e.g. http://127.0.0.1:8069 */
  url: string;
  db: string;
  username: string;
  /** Password or API key (both work for JSON-RPC). */
  password: string;
  /** @default 5000 */
  timeoutMs?: number;
  /** How long a customer's figures are reused before Odoo is asked again. @default 30000 */
  cacheTtlMs?: number;
  /** Customers kept in the cache; the oldest go first. @default 10000 */
  cacheSize?: number;
  /** @default { resetTimeoutMs: 5000 } */
  circuit?: Omit<CircuitBreakerOptions, 'timeoutMs'>;
  /** Clock for the cache (tests). @default Date.now */
  now?: () => number;
}

/** What the credit check needs of a customer, as Odoo has it. */
export interface CustomerCredit {
  /** The commercial partner (company) the figures are for. */
  partnerId: number;
  /** res.partner.credit_limit as a decimal string; null when it is 0, Odoo's "no limit of its own". */
  creditLimit: string | null;
  /** Posted, not fully paid customer invoices minus open credit notes (sum of amount_residual_signed), company currency. */
  openReceivables: string;
  /** How many open invoices and credit notes were summed. */
  openMoves: number;
  /** When Odoo was read (the figures may be up to cacheTtlMs old). */
  readAt: Date;
}

/** Open receivables as Odoo 17 defines them; the first leaf is the commercial partner. */
const OPEN_MOVES = [
  ['state', '=', 'posted'],
  ['move_type', 'in', ['out_invoice', 'out_refund']],
  ['payment_state', 'in', ['not_paid', 'partial']],
];
const PAGE = 1000;

/**
 * Reads a customer's credit limit and open receivables from Odoo over
 * JSON-RPC (`/jsonrpc`, `execute_kw`, as the outbox poller does), through one
 * circuit breaker, with a short cache so a burst of orders from one customer
 * costs one read. Failures are classified: Odoo faults by exception class
 * (access, missing record, validation: permanent; concurrency: transient),
 * timeouts, connection errors, 5xx, HTML and truncated answers transient.
 */
export class OdooCreditReader {
  private readonly rest: RestClient;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<number, { value: CustomerCredit; expiresAt: number }>();
  private readonly inFlight = new Map<number, Promise<CustomerCredit>>();
  private uid: Promise<number> | null = null;

  constructor(private readonly options: OdooCreditReaderOptions) {
    const timeoutMs = options.timeoutMs ?? 5_000;
    this.ttlMs = options.cacheTtlMs ?? 30_000;
    this.maxEntries = options.cacheSize ?? 10_000;
    this.now = options.now ?? Date.now;
    this.rest = new RestClient({
      system: 'Odoo',
      errorClassPrefix: 'odoo',
      url: options.url.replace(/\/+$/, ''),
      apiKey: null,
      timeoutMs,
      circuit: options.circuit ?? { resetTimeoutMs: 5_000 },
    });
  }

  /** The breaker's state, for readiness and metrics. */
  get circuit(): RestClient['circuit'] {
    return this.rest.circuit;
  }

  /**
   * The credit figures of a customer (Odoo res.partner id, e.g. Party.partyId); a contact or address
   * is read as its company. Cached for cacheTtlMs; concurrent reads of one customer share a call.
   */
  read(partnerId: number | string): Promise<CustomerCredit> {
    const id = typeof partnerId === 'number' ? partnerId : /^\d{1,12}$/.test(partnerId) ? Number(partnerId) : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0)
      return Promise.reject(new PolicyInputError(`OdooCreditReader.read: ${JSON.stringify(partnerId)} is not an Odoo partner id`));
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached.value);
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const reading = this.fetch(id)
      .then((value) => {
        this.remember(id, value);
        return value;
      })
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, reading);
    return reading;
  }

  /** Forgets one customer's figures (after an invoice, payment or approval), or all. */
  invalidate(partnerId?: number | string): void {
    if (partnerId === undefined) this.cache.clear();
    else this.cache.delete(Number(partnerId));
  }

  close(): void {
    this.rest.shutdown();
  }

  private async fetch(id: number): Promise<CustomerCredit> {
    const readAt = new Date(this.now());
    const [partner] = await this.records('res.partner', 'read', [[id]], {
      fields: ['credit_limit', 'commercial_partner_id'],
      context: { active_test: false },
    });
    if (!partner) throw new PermanentError(`Odoo has no res.partner ${id}`, { errorClass: 'odoo.missing-record' });
    const commercial = m2oId(partner['commercial_partner_id']) ?? id;
    const company =
      commercial === id
        ? partner
        : (
            await this.records('res.partner', 'read', [[commercial]], {
              fields: ['credit_limit'],
              context: { active_test: false },
            })
          )[0];
    const limit = amountUnits(company?.['credit_limit'] ?? false, `res.partner ${commercial} credit_limit`);
    let open = 0n;
    let moves = 0;
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.records('account.move', 'search_read', [[['commercial_partner_id', '=', commercial], ...OPEN_MOVES]], {
        fields: ['move_type', 'amount_residual', 'amount_residual_signed'],
        order: 'id asc',
        offset,
        limit: PAGE,
      });
      for (const m of page) {
        const signed = m['amount_residual_signed'];
        open +=
          typeof signed === 'number'
            ? amountUnits(signed, `account.move ${String(m['id'])} amount_residual_signed`)
            : (m['move_type'] === 'out_refund' ? -1n : 1n) *
              amountUnits(m['amount_residual'], `account.move ${String(m['id'])} amount_residual`);
      }
      moves += page.length;
      if (page.length < PAGE) break;
    }
    return {
      partnerId: commercial,
      creditLimit: limit === 0n ? null : formatUnits(limit),
      openReceivables: formatUnits(open),
      openMoves: moves,
      readAt,
    };
  }

  private remember(id: number, value: CustomerCredit): void {
    this.cache.delete(id);
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(id, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Logs in once; a failed login is tried again on the next read. */
  private authenticate(): Promise<number> {
    if (!this.uid) {
      this.uid = this.login();
      this.uid.catch(() => {
        this.uid = null;
      });
    }
    return this.uid;
  }

  private async login(): Promise<number> {
    const uid = await this.call('common', 'authenticate', [this.options.db, this.options.username, this.options.password, {}]);
    if (typeof uid === 'number' && uid > 0) return uid;
    throw new PermanentError(
      `Odoo refused the login of "${this.options.username}" on database "${this.options.db}" at ${this.options.url} (wrong user, password/API key or database)`,
      { errorClass: 'odoo.access-denied' },
    );
  }

  /** `execute_kw` of a method that answers records (read, search_read). */
  private async records(
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
  ): Promise<Array<Record<string, unknown>>> {
    const uid = await this.authenticate();
    const result = await this.call('object', 'execute_kw', [this.options.db, uid, this.options.password, model, method, args, kwargs]);
    if (
      !Array.isArray(result) ||
      !result.every((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r))
    )
      throw badResponse(`${model}.${method} did not answer a list of records`);
    return result;
  }

  private async call(service: 'common' | 'object', method: string, args: unknown[]): Promise<unknown> {
    const { body } = await this.rest.call('POST', '/jsonrpc', { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 });
    if (typeof body !== 'object' || body === null)
      throw badResponse(`${service}.${method} answered something that is not JSON-RPC (an HTML page or cut-off JSON)`);
    if ('error' in body) throw classifyOdooFault(body.error);
    if (!('result' in body)) throw badResponse(`${service}.${method} answered without a result`);
    return body.result;
  }
}

/** Odoo exception classes whose repetition cannot help; everything else is retried. */
const PERMANENT: Array<[RegExp, string]> = [
  [/AccessDenied/, 'odoo.access-denied'],
  [/AccessError/, 'odoo.access'],
  [/MissingError/, 'odoo.missing-record'],
  [/ValidationError/, 'odoo.validation'],
  [/UserError|Warning|RedirectWarning/, 'odoo.user-error'],
  [/ValueError|KeyError|TypeError|AttributeError/, 'odoo.invalid-request'],
];
const TRANSIENT = /SerializationFailure|TransactionRollbackError|LockNotAvailable|OperationalError|InterfaceError|PoolError/;

/** A JSON-RPC `error` object, classified by Odoo's exception class (error.data.name). */
function classifyOdooFault(error: unknown): OdxError {
  const e = typeof error === 'object' && error !== null ? error : {};
  const data = 'data' in e && typeof e.data === 'object' && e.data !== null ? e.data : {};
  const name = 'name' in data && typeof data.name === 'string' ? data.name : '';
  const message = 'message' in data && typeof data.message === 'string' && data.message ? data.message : 'Odoo Server Error';
  const text = `Odoo ${name || 'error'}: ${message}`;
  if (TRANSIENT.test(name)) return new TransientError(text, { errorClass: 'odoo.concurrency' });
  for (const [pattern, errorClass] of PERMANENT) if (pattern.test(name)) return new PermanentError(text, { errorClass });
  return new PermanentError(text, { errorClass: 'odoo.server-error' });
}

function badResponse(message: string): TransientError {
  return new TransientError(`Odoo ${message}`, { errorClass: 'odoo.bad-response' });
}

/** An Odoo monetary float (or false) in ten-thousandths; `toFixed(4)` is exact for amounts Odoo has rounded to cents. */
function amountUnits(value: unknown, what: string): bigint {
  if (value === false || value === null) return 0n;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e14)
    throw badResponse(`${what} is ${JSON.stringify(value)}, not an amount`);
  return toUnits(value.toFixed(4), what);
}

function m2oId(v: unknown): number | null {
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : typeof v === 'number' ? v : null;
}
