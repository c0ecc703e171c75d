import { exitCodeForStatus, type ExitCode } from './exit-codes.js';

/** An error answer of the API (problem+json), or the service not answering at all. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly problem: Record<string, unknown> | undefined,
  ) {
    super(message);
  }

  get exitCode(): ExitCode {
    return this.status === 0 ? 1 : exitCodeForStatus(this.status);
  }
}

/** A thin JSON client of the replay-dlq API. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 300_000,
  ) {}

  async request<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        0,
        `cannot reach ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))}`,
        undefined,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const problem = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
      const detail = typeof problem?.['detail'] === 'string' ? problem['detail'] : text.slice(0, 300);
      const fields = Array.isArray(problem?.['errors'])
        ? (problem['errors'] as Array<{ field?: string; message?: string }>).map((e) => `${e.field}: ${e.message}`).join('; ')
        : '';
      throw new ApiError(res.status, `${res.status} ${res.statusText}: ${detail}${fields ? ` (${fields})` : ''}`, problem);
    }
    return parsed as T;
  }
}
