// The demo's operator at the order orchestrator: reads order processes and
// exception cases over its API (an operator token, as `odx token` mints one)
// and works cases with the real `odx` CLI, run as a child process the way a
// person types it, so the report shows what they would see.
import { execFile } from 'node:child_process';
import { mintToken } from '@odx/runtime';
import { REPO_ROOT } from '../repo-root.js';

/** The parts of a case (GET /v1/cases) the demo shows. */
export interface DemoCase {
  caseId: string;
  orderId: string;
  orderName: string | null;
  step: string;
  severity: string;
  status: string;
  errorClass: string;
  lastError: string;
  proposedAction: string | null;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** The parts of an order's process (GET /v1/orders/:ref/process) the demo reads. */
export interface DemoProcess {
  orderId: string;
  orderName: string | null;
  stage: string;
  stageStatus: string;
}

export interface CliRun {
  command: string;
  code: number;
  output: string[];
}

export interface ExceptionDeskOptions {
  url: string;
  jwtSecret: string;
  audience: string;
}

export class DemoExceptionDesk {
  private token: string | undefined;

  constructor(private readonly options: ExceptionDeskOptions) {}

  /** An operator token for the orchestrator's API (the demo's secret; `odx token` mints the same). */
  async operatorToken(): Promise<string> {
    this.token ??= await mintToken({ secret: this.options.jwtSecret, issuer: 'odx', audience: this.options.audience }, 'odx-demo', [
      'operator',
    ]);
    return this.token;
  }

  /** The order's process by ODX order id, Odoo order name or customer PO; null while the orchestrator has none. */
  async process(ref: string): Promise<DemoProcess | null> {
    const res = await this.get(`/v1/orders/${encodeURIComponent(ref)}/process`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`order-orchestrator GET /v1/orders/${ref}/process answered ${res.status}`);
    return ((await res.json()) as { process: DemoProcess }).process;
  }

  /** Cases, newest first: of one order, or every case (resolved ones too). */
  async cases(query: { order?: string; limit?: number } = {}): Promise<DemoCase[]> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 1_000), ...(query.order ? { order: query.order } : {}) });
    const res = await this.get(`/v1/cases?${params}`);
    if (!res.ok) throw new Error(`order-orchestrator GET /v1/cases answered ${res.status}`);
    return ((await res.json()) as { cases: DemoCase[] }).cases;
  }

  /** Runs `npx odx <args>` against the orchestrator with the operator token, as an operator would. */
  async odx(args: string[]): Promise<CliRun> {
    const token = await this.operatorToken();
    const command = `npx odx ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ')}`;
    return new Promise((resolve) => {
      execFile(
        'npx',
        ['--no-install', 'odx', ...args],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ODX_ORCHESTRATOR_URL: this.options.url, ODX_ORCHESTRATOR_TOKEN: token },
          timeout: 60_000,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          const output = `${stdout}${code === 0 ? '' : stderr}`.split('\n').filter((l) => l.trim().length > 0);
          resolve({ command, code, output });
        },
      );
    });
  }

  private async get(path: string): Promise<Response> {
    return fetch(`${this.options.url}${path}`, {
      headers: { authorization: `Bearer ${await this.operatorToken()}` },
      signal: AbortSignal.timeout(10_000),
    });
  }
}

/** "opened 3, resolved 2 (approved 1, process-moved-on 1), open 1", over the cases given. */
export function caseSummary(cases: readonly DemoCase[]): string {
  const resolved = cases.filter((c) => c.status === 'resolved');
  const how = new Map<string, number>();
  for (const c of resolved) how.set(c.resolution ?? 'other', (how.get(c.resolution ?? 'other') ?? 0) + 1);
  const detail = [...how]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return `opened ${cases.length}, resolved ${resolved.length}${detail ? ` (${detail})` : ''}, open ${cases.length - resolved.length}`;
}

/** One line per case, oldest first: id, order, step, severity, why, and where it stands (columns as wide as their widest value). */
export function formatCases(cases: readonly DemoCase[]): string[] {
  const rows = [...cases]
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
    .map((c) => [
      c.caseId,
      c.orderName ?? c.orderId,
      c.step,
      c.severity,
      c.errorClass,
      c.status === 'resolved' ? `resolved (${c.resolution ?? '?'})` : c.status,
      c.lastError.length > 70 ? `${c.lastError.slice(0, 69)}…` : c.lastError,
    ]);
  const widths = rows.reduce<number[]>((w, r) => r.map((v, i) => Math.max(w[i] ?? 0, v.length)), []);
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  '));
}
