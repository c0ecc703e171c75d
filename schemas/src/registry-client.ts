/**
 * The one client for the Confluent schema-registry REST API (served by
 * Apicurio under /apis/ccompat/v7). The runtime serde registers and reads
 * schemas with it; the register and check tools use it too.
 */

/** @default http://127.0.0.1:8081/apis/ccompat/v7 */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

/** @default 10000 */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 10_000;

export type Fetch = typeof fetch;

/**
 * What a failed registry request means for the caller:
 * - `unavailable`: no answer, no answer in time, 5xx, 408 or 429; the same request may succeed later
 * - `not-found`: 404 (error 40401 subject, 40402 version, 40403 schema not found)
 * - `rejected`: any other 4xx (409 incompatible, 422 invalid schema, 401/403 credentials),
 *   or a success answer without what was asked for
 */
export type RegistryErrorKind = 'unavailable' | 'not-found' | 'rejected';

/** A registry request failed; `kind` says how to treat it, `status` and `errorCode` come from the response. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly kind: RegistryErrorKind;
  /** HTTP status of the answer; 0 when there was none (unreachable, timeout). */
  readonly status: number;
  /** The registry's `error_code`, e.g. 40403 or 409. */
  readonly errorCode: number | undefined;
  /** The subject the request was about; undefined for requests by schema id. */
  readonly subject: string | undefined;
  constructor(
    message: string,
    facts: { kind: RegistryErrorKind; status: number; errorCode?: number | undefined; subject?: string | undefined; cause?: unknown },
  ) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.kind = facts.kind;
    this.status = facts.status;
    this.errorCode = facts.errorCode;
    this.subject = facts.subject;
  }

  /** True when the same request may succeed later (`kind` is `unavailable`). */
  get canRetry(): boolean {
    return this.kind === 'unavailable';
  }
}

export interface RegistryClientOptions {
  /** Base of the Confluent API. @default DEFAULT_REGISTRY_URL */
  url?: string | undefined;
  /** HTTP basic credentials. @default none */
  auth?: { username: string; password: string } | undefined;
  /** Per request, including reading the answer. @default 10000 */
  timeoutMs?: number | undefined;
  /** @default globalThis.fetch */
  fetch?: Fetch | undefined;
}

/** A schema as the registry holds it. */
export interface RegistrySchema {
  id: number;
  /** AVRO, JSON or PROTOBUF; the registry omits it for Avro. */
  schemaType: string;
  /** The schema text as registered (JSON for Avro). */
  schema: string;
}

export interface CompatibilityAnswer {
  compatible: boolean;
  messages: string[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Client for one registry: register, schema by id, compatibility test. */
export class RegistryClient {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly fetchImpl: Fetch;
  private readonly headers: Record<string, string>;

  constructor(options: RegistryClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
    this.headers = { accept: `${CONTENT_TYPE}, application/json` };
    if (options.auth) {
      this.headers['authorization'] = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
    }
  }

  /**
   * POST /subjects/{subject}/versions: registers an Avro schema and returns
   * its id; a schema the subject already has gets its existing id. (Plain REST
   * on purpose: no client-side check of the subject's compatibility level,
   * which subjects registered by other tools on Apicurio would fail.)
   */
  async register(subject: string, schema: object): Promise<number> {
    const body = await this.request(`/subjects/${encodeURIComponent(subject)}/versions`, { subject }, avroBody(schema));
    const id = field(body, 'id');
    if (typeof id !== 'number') {
      throw new RegistryError(`${subject}: the registry answered without a schema id: ${preview(body)}`, {
        kind: 'rejected',
        status: 200,
        subject,
      });
    }
    return id;
  }

  /** GET /schemas/ids/{id}: the registered schema text; a `not-found` RegistryError for an unknown id. */
  async schemaById(id: number): Promise<RegistrySchema> {
    const body = await this.request(`/schemas/ids/${id}`, { schemaId: id });
    const schema = field(body, 'schema');
    if (typeof schema !== 'string') {
      throw new RegistryError(`schema id ${id}: the registry answered without a schema: ${preview(body)}`, {
        kind: 'rejected',
        status: 200,
      });
    }
    const schemaType = field(body, 'schemaType');
    return { id, schemaType: typeof schemaType === 'string' ? schemaType : 'AVRO', schema };
  }

  /**
   * POST /compatibility/subjects/{subject}/versions/latest. Returns undefined
   * when the subject has no version yet (nothing to be compatible with).
   */
  async testCompatibility(subject: string, schema: object): Promise<CompatibilityAnswer | undefined> {
    let body: unknown;
    try {
      body = await this.request(
        `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
        { subject },
        avroBody(schema),
      );
    } catch (err) {
      if (err instanceof RegistryError && err.kind === 'not-found') return undefined;
      throw err;
    }
    const messages = field(body, 'messages');
    return { compatible: field(body, 'is_compatible') === true, messages: Array.isArray(messages) ? messages.map(String) : [] };
  }

  /** One request; every failure becomes a RegistryError whose message starts with the subject or schema id. */
  private async request(path: string, about: { subject: string } | { schemaId: number }, postBody?: string): Promise<unknown> {
    const url = `${this.url}${path}`;
    const subject = 'subject' in about ? about.subject : undefined;
    const target = 'subject' in about ? about.subject : `schema id ${about.schemaId}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status = 0;
    let text: string;
    try {
      const res = await this.fetchImpl(url, {
        method: postBody === undefined ? 'GET' : 'POST',
        headers: postBody === undefined ? this.headers : { ...this.headers, 'content-type': CONTENT_TYPE },
        ...(postBody === undefined ? {} : { body: postBody }),
        signal,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const problem = signal.aborted
        ? `the schema registry did not answer within ${this.timeoutMs} ms (${url})`
        : `cannot reach the schema registry at ${url}: ${reasonOf(err)}`;
      throw new RegistryError(`${target}: ${problem}`, { kind: 'unavailable', status, subject, cause: err });
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON (a proxy's error page): keep the text for the message.
    }
    if (status >= 200 && status < 300) return body;
    const message = field(body, 'message');
    const code = field(body, 'error_code');
    const errorCode = typeof code === 'number' ? code : undefined;
    const detail = typeof message === 'string' ? message : text.slice(0, 500);
    throw new RegistryError(`${target}: HTTP ${status}${errorCode ? ` (error ${errorCode})` : ''}: ${detail}`, {
      kind: kindOf(status, errorCode),
      status,
      errorCode,
      subject,
    });
  }
}

function kindOf(status: number, errorCode: number | undefined): RegistryErrorKind {
  if (status >= 500 || status === 408 || status === 429) return 'unavailable';
  if (status === 404 || errorCode === 40401 || errorCode === 40403) return 'not-found';
  return 'rejected';
}

function avroBody(schema: object): string {
  return JSON.stringify({ schemaType: 'AVRO', schema: JSON.stringify(schema) });
}

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

function preview(body: unknown): string {
  return (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 300);
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, bad port...). */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return `${message} (${code})`;
  return cause instanceof Error && cause.message ? `${message} (${cause.message})` : message;
}
