/**
 * Minimal client for the Confluent schema-registry REST API (served by
 * Apicurio under /apis/ccompat/v7), used by the register and check tools.
 */

/** @default http://127.0.0.1:8081/apis/ccompat/v7 */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

/** The registry refused a request; `status` and `errorCode` come from its response. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number | undefined,
    readonly subject: string,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

/** POST /subjects/{subject}/versions; returns the schema id (existing id when already registered). */
export async function registerSchema(baseUrl: string, subject: string, schema: object, fetchImpl: Fetch = fetch): Promise<number> {
  const body = await call(baseUrl, `/subjects/${encodeURIComponent(subject)}/versions`, subject, schema, fetchImpl);
  const id = (body as { id?: unknown }).id;
  if (typeof id !== 'number') throw new RegistryError(`registry answered without an id: ${JSON.stringify(body)}`, 200, undefined, subject);
  return id;
}

/**
 * POST /compatibility/subjects/{subject}/versions/latest. Returns undefined
 * when the subject has no version yet (nothing to be compatible with).
 */
export async function testCompatibility(
  baseUrl: string,
  subject: string,
  schema: object,
  fetchImpl: Fetch = fetch,
): Promise<{ compatible: boolean; messages: string[] } | undefined> {
  try {
    const body = (await call(baseUrl, `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, subject, schema, fetchImpl)) as {
      is_compatible?: unknown;
      messages?: unknown;
    };
    return {
      compatible: body.is_compatible === true,
      messages: Array.isArray(body.messages) ? body.messages.map(String) : [],
    };
  } catch (err) {
    // 40401 subject not found, 40402 version not found.
    if (err instanceof RegistryError && err.status === 404) return undefined;
    throw err;
  }
}

async function call(baseUrl: string, path: string, subject: string, schema: object, fetchImpl: Fetch): Promise<unknown> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/vnd.schemaregistry.v1+json, application/json' },
      body: JSON.stringify({ schemaType: 'AVRO', schema: JSON.stringify(schema) }),
    });
  } catch (err) {
    throw new RegistryError(`cannot reach the schema registry at ${url}: ${(err as Error).message}`, 0, undefined, subject);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (proxy error page): keep the text for the message.
  }
  if (!res.ok) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown; error_code?: unknown };
    const message = typeof b.message === 'string' ? b.message : String(text).slice(0, 500);
    const code = typeof b.error_code === 'number' ? b.error_code : undefined;
    throw new RegistryError(`${subject}: HTTP ${res.status}${code ? ` (error ${code})` : ''}: ${message}`, res.status, code, subject);
  }
  return body;
}
