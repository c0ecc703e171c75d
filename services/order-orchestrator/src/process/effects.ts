// What the fold decides the outside world should see. Every effect is
// idempotent (deterministic event ids, case dedupe keys, catch-up is a read),
// so carrying one out again after a crash does no harm.
import type { EvidenceLink, FulfillmentRequested, OrderStageChanged } from '@odx/schemas';
import type { StepName } from './steps.js';

export type CaseSeverity = 'low' | 'medium' | 'high' | 'critical';

/** What opening a case needs (the exception desk's CaseOpening). */
export interface CaseOpeningRequest {
  orderId: string;
  orderName: string | null;
  step: StepName;
  reasonClass: string;
  lastError: string;
  severity: CaseSeverity;
  owner: { kind: 'team' | 'person'; id: string; name: string | null } | null;
  evidence: EvidenceLink[];
  proposedAction: string | null;
  dedupeKey: string;
}

export type Effect =
  /** Release one allocation part to the WMS (wms-bridge in release mode fulfillment-requested). */
  | { kind: 'publish-fulfillment'; shipmentId: string; payload: FulfillmentRequested }
  | { kind: 'publish-stage'; payload: OrderStageChanged }
  /** Ask the bridge that owns the late step to reconcile the order (POST <bridge>/v1/catch-up). */
  | { kind: 'catch-up'; bridge: 'wms' | 'tms'; orderRef: string; step: StepName; attempt: number }
  | { kind: 'open-case'; opening: CaseOpeningRequest }
  /** The step moved on by itself: its open case is resolved. */
  | { kind: 'resolve-case'; step: StepName; note: string };
