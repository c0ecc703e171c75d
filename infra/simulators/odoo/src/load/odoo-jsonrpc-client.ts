/** Minimal Odoo JSON-RPC client (the documented /jsonrpc call) used by the load generator. */
export class OdooRpcError extends Error {
  constructor(
    readonly odooName: string,
    message: string,
  ) {
    super(`${odooName}: ${message}`);
  }
}

export class OdooJsonRpcClient {
  private uid: number | null = null;
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly db: string,
    private readonly login: string,
    private readonly password: string,
  ) {}

  private async call(service: string, method: string, args: unknown[]): Promise<unknown> {
    const res = await fetch(`${this.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: this.nextId++ }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${this.url}/jsonrpc`);
    const body = (await res.json()) as { result?: unknown; error?: { data?: { name?: string; message?: string }; message?: string } };
    if (body.error) throw new OdooRpcError(body.error.data?.name ?? 'Odoo Server Error', body.error.data?.message ?? body.error.message ?? '');
    return body.result;
  }

  async authenticate(): Promise<number> {
    const uid = await this.call('common', 'authenticate', [this.db, this.login, this.password, {}]);
    if (typeof uid !== 'number') throw new Error(`authentication failed for ${this.login} on ${this.db}`);
    this.uid = uid;
    return uid;
  }

  async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    if (this.uid === null) await this.authenticate();
    return (await this.call('object', 'execute_kw', [this.db, this.uid, this.password, model, method, args, kwargs])) as T;
  }
}
