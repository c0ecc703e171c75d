// GET /v1/orders/:ref/process: an order's process as the orchestrator holds it
// (stage, each step, due time, facts, history), by ODX order id, Odoo order
// name or customer PO. Viewers read (the runtime's JWT roles).
import { HttpProblem, requireRole } from '@odx/runtime';
import type { Router } from 'express';
import { z } from 'zod';
import type { ProcessState } from '../process/process-state.js';
import type { ProcessStore } from '../process/process-store.js';

export const PROCESS_ENDPOINTS = [{ method: 'GET', path: '/v1/orders/:ref/process', role: 'viewer' }] as const;

const ref = z.string().regex(/^[\x21-\x7e]{1,200}$/, '1-200 visible ASCII characters');

export interface ProcessRouteOptions {
  store: ProcessStore;
  /** The order's cases, when the exception desk is wired. */
  casesOf?: (orderId: string) => Promise<unknown[]>;
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The process as the API shows it: times as ISO strings, the store's bookkeeping (signal ids, outbox) left out. */
export function processView(s: ProcessState): Record<string, unknown> {
  return {
    orderId: s.orderId,
    orderName: s.order?.orderName ?? null,
    clientOrderRef: s.order?.clientOrderRef ?? null,
    customerId: s.order?.customerId ?? null,
    stage: s.stage,
    stageStatus: s.stageStatus,
    open: s.open,
    due: s.due ? { step: s.due.step, attempt: s.due.attempt, at: iso(s.due.at) } : null,
    steps: Object.fromEntries(
      Object.entries(s.steps).map(([name, st]) => [
        name,
        {
          status: st.status,
          attempts: st.attempts,
          startedAt: iso(st.startedAt),
          doneAt: iso(st.doneAt),
          lastError: st.lastError,
          overdue: st.overdue ?? null,
          caseOpen: st.caseOpen,
          detail: st.detail,
        },
      ]),
    ),
    credit: s.credit ? { ...s.credit, decidedAt: iso(s.credit.decidedAt) } : null,
    allocation: s.allocation ? { ...s.allocation, decidedAt: iso(s.allocation.decidedAt) } : null,
    shipments: s.shipments.map((sh) => ({
      ...sh,
      requested: iso(sh.requested),
      picked: iso(sh.picked),
      packed: iso(sh.packed),
      booked: iso(sh.booked),
      dispatched: iso(sh.dispatched),
      delivered: iso(sh.delivered),
      exception: sh.exception ? { ...sh.exception, at: iso(sh.exception.at) } : null,
    })),
    invoices: s.invoices,
    payments: s.payments.map((p) => ({ ...p, at: iso(p.at) })),
    cancellation: s.cancellation ? { ...s.cancellation, at: iso(s.cancellation.at) } : null,
    evidence: s.evidence,
    history: s.history.map((h) => ({ ...h, at: iso(h.at) })),
    version: s.version,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function mountProcessRoutes(api: Router, options: ProcessRouteOptions): void {
  api.get('/v1/orders/:ref/process', requireRole('viewer'), async (req, res) => {
    const parsed = ref.safeParse(req.params['ref']);
    if (!parsed.success) throw new HttpProblem(400, 'Bad Request', `order reference: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const state = await options.store.find(parsed.data);
    if (!state)
      throw new HttpProblem(404, 'Not Found', `no process for order ${parsed.data} (ODX order id, Odoo order name or customer PO)`);
    const cases = options.casesOf ? await options.casesOf(state.orderId) : undefined;
    res.status(200).json({ process: processView(state), ...(cases ? { cases } : {}) });
  });
}
