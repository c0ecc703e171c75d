import { randomUUID } from 'node:crypto';
import { Circuit, PermanentError, TransientError, classifyHttpStatus, withSpan, SpanKind } from '@odx/runtime';
import { classifyOdooFault, type OdooErrorData } from './odoo-errors.js';

export interface OdooConnection {
  /** Base URL, e.g. http://127.0.0.1:8069 */
  url: string;
  db: string;
  username: string;
  /** Password or API key (both work for XML-RPC/JSON-RPC since Odoo 14). */
  password: string;
  /** @default 30000 */
  timeoutMs?: number;
}

export interface OdooVersion {
  serverVersion: string;
  /** Major version, e.g. 17. */
  major: number;
}

/** Keyword arguments of execute_kw as Odoo reads them. */
export type OdooKwargs = Record<string, unknown>;

/**
 * Odoo's external API over JSON-RPC (`/jsonrpc`, services `common` and
 * `object`), which Odoo 8 to 19 serve. Calls go through a circuit breaker;
 * failures are classified: Odoo faults by exception class (access and
 * validation errors permanent), network errors, timeouts, 5xx, HTML error pages
 * and truncated JSON transient.
 */
export class OdooClient {
  readonly circuit: Circuit;
  private uid: number | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly conn: OdooConnection,
    circuit?: Circuit,
  ) {
    this.timeoutMs = conn.timeoutMs ?? 30_000;
    this.circuit = circuit ?? new Circuit('odoo', { timeoutMs: this.timeoutMs + 1_000, resetTimeoutMs: 5_000 });
  }

  async version(): Promise<OdooVersion> {
    const v = (await this.call('common', 'version', [])) as { server_version?: string; server_version_info?: unknown[] };
    const major = Number(v.server_version_info?.[0] ?? String(v.server_version ?? '').split('.')[0]);
    if (!Number.isInteger(major))
      throw new PermanentError(`Odoo answered version() without a version: ${JSON.stringify(v)}`, { errorClass: 'odoo.bad-response' });
    return { serverVersion: String(v.server_version ?? major), major };
  }

  /** Logs in once; wrong credentials are a permanent error naming the database and user. */
  async authenticate(): Promise<number> {
    if (this.uid !== undefined) return this.uid;
    const uid = await this.call('common', 'authenticate', [this.conn.db, this.conn.username, this.conn.password, {}]);
    if (typeof uid !== 'number' || uid <= 0) {
      throw new PermanentError(
        `Odoo refused the login of "${this.conn.username}" on database "${this.conn.db}" at ${this.conn.url} (wrong user, password/API key or database)`,
        { errorClass: 'odoo.access-denied' },
      );
    }
    this.uid = uid;
    return uid;
  }

  /** `execute_kw(db, uid, password, model, method, args, kwargs)`. */
  async executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs: OdooKwargs = {}): Promise<T> {
    const uid = await this.authenticate();
    return (await this.call('object', 'execute_kw', [this.conn.db, uid, this.conn.password, model, method, args, kwargs])) as T;
  }

  searchRead<T = Record<string, unknown>>(model: string, domain: unknown[], kwargs: OdooKwargs = {}): Promise<T[]> {
    return this.executeKw<T[]>(model, 'search_read', [domain], kwargs);
  }

  read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[]): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.executeKw<T[]>(model, 'read', [ids], { fields, context: { active_test: false } });
  }

  private call(service: 'common' | 'object', method: string, args: unknown[]): Promise<unknown> {
    return this.circuit.fire(() =>
      withSpan(
        `odoo ${service}.${method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'rpc.system': 'jsonrpc', 'rpc.service': service, 'rpc.method': method, 'server.address': this.conn.url },
        },
        () => this.post(service, method, args),
      ),
    );
  }

  private async post(service: string, method: string, args: unknown[]): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.conn.url.replace(/\/+$/, '')}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: randomUUID() }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as { name?: string }).name === 'TimeoutError';
      throw new TransientError(
        timeout
          ? `Odoo did not answer ${service}.${method} within ${this.timeoutMs} ms`
          : `Odoo unreachable at ${this.conn.url}: ${String((err as Error).cause ?? err)}`,
        {
          errorClass: timeout ? 'odoo.timeout' : 'odoo.unreachable',
          cause: err,
        },
      );
    }
    const text = await res.text().catch(() => '');
    const status = classifyHttpStatus(res.status, res.headers.get('retry-after'));
    if (status) {
      const Err = status.kind === 'transient' ? TransientError : PermanentError;
      throw new Err(`Odoo answered HTTP ${res.status} to ${service}.${method}: ${text.slice(0, 200)}`, {
        errorClass: `odoo.${status.errorClass}`,
        ...(status.retryAfterMs !== undefined ? { retryAfterMs: status.retryAfterMs } : {}),
      });
    }
    let body: { result?: unknown; error?: { message?: string; data?: OdooErrorData } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // An HTML page from a proxy, or JSON cut short: the server is not healthy right now.
      throw new TransientError(
        `Odoo answered ${service}.${method} with something that is not JSON (${res.headers.get('content-type') ?? 'no content type'}): ${text.slice(0, 120)}`,
        { errorClass: 'odoo.bad-response' },
      );
    }
    if (body.error) throw classifyOdooFault(body.error.data, body.error.message ?? 'Odoo Server Error');
    if (!('result' in body))
      throw new TransientError(`Odoo answered ${service}.${method} without a result`, { errorClass: 'odoo.bad-response' });
    return body.result;
  }

  close(): void {
    this.circuit.shutdown();
  }
}
