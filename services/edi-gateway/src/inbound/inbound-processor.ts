import { looksLikeEdifact } from '../edifact/read-orders.js';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from '../model/content-limits.js';
import { runYielding } from '../model/stepwise.js';
import type { PurchaseOrderFacts } from '../model/supplier-documents.js';
import type { PartnerDirectory } from '../partners/partner-profile.js';
import type { PurchaseOrderFactsStore } from '../store/purchase-order-facts.js';
import type { EdiMetrics } from '../telemetry/edi-metrics.js';
import { sha256Hex, type ReceivedFile } from './audit-records.js';
import { commitInterchange, type CommitDeps } from './commit-interchange.js';
import { planAcceptedCommit, planRejectedCommit, type InterchangeCommit, type PlanContext } from './commit-plan.js';
import type { InboundResult, InboundSource } from './inbound-result.js';
import type { InboundReading } from './parsed-interchange.js';
import { parseEdifactInterchangeSteps } from './parse-edifact-interchange.js';
import { parseX12InterchangeSteps } from './parse-x12-interchange.js';

export type { InboundResult, InboundSource } from './inbound-result.js';

export interface InboundDeps extends CommitDeps {
  partners: PartnerDirectory;
  company: string;
  /** `purchasing` (PurchaseOrderAcknowledged) @default odx.purchasing.v1 */
  topics: { orders: string; edi: string; purchasing?: string };
  /** The POs sent to suppliers, which their 855, 856 and 810 must name. @default none (every supplier document is rejected) */
  purchaseOrders?: PurchaseOrderFactsStore;
  maxBytes: number;
  /** Caps on segments, documents and lines per interchange. @default DEFAULT_CONTENT_LIMITS */
  limits?: ContentLimits;
  metrics?: EdiMetrics;
}

/**
 * One inbound interchange, whatever the transport and the standard: read
 * into the neutral form (X12 envelope and 850/997/855/856/810 rules, or EDIFACT ORDERS),
 * its control number claimed once per partner, then committed in one order
 * (commit-interchange.ts): order facts, OrderReceived and EdiDocumentReceived
 * events, audit records linked to them, received 997s applied, our 997, TA1
 * or CONTRL, the claim marked done.
 */
export class InboundProcessor {
  private readonly topics: PlanContext['topics'];

  constructor(private readonly deps: InboundDeps) {
    this.topics = { ...deps.topics, purchasing: deps.topics.purchasing ?? 'odx.purchasing.v1' };
  }

  async process(bytes: Buffer, source: InboundSource, receivedAt = new Date()): Promise<InboundResult> {
    const result = await this.processOnce({ bytes, sha256: sha256Hex(bytes), source, receivedAt });
    for (const doc of result.documents)
      this.deps.metrics?.documents.inc({ partner: result.partnerId ?? 'unknown', direction: 'in', type: doc.type, status: doc.status });
    return result;
  }

  private async processOnce(file: ReceivedFile): Promise<InboundResult> {
    const context: PlanContext = { file, company: this.deps.company, topics: this.topics };
    const reading = await this.read(file);
    if (!reading.ok) return this.commit(planRejectedCommit({ ...context, rejected: reading.rejected, idKey: file.sha256.slice(0, 32) }));
    const { interchange } = reading;
    const { partner } = interchange.envelope;
    const claim = await this.deps.seen.claim(partner.id, interchange.claimKey, file.sha256);
    if (claim.kind === 'duplicate') {
      const rejected = { envelope: interchange.envelope, problems: [interchange.repeat.problem], reply: interchange.repeat.reply };
      const result = await this.commit(
        planRejectedCommit({ ...context, rejected, idKey: `${file.sha256.slice(0, 16)}-${file.receivedAt.getTime()}` }),
      );
      return { ...result, status: 'duplicate' };
    }
    return this.commit(planAcceptedCommit({ ...context, interchange, attempt: claim.attempt }));
  }

  /**
   * Parsed with turns for the event loop: a 5 MB interchange must not stall /healthz or the other
   * transports. The readers are pure, so a supplier's documents are matched to the POs in the store's
   * cache; when one names a PO not cached, those POs are loaded and the interchange read again.
   */
  private async read(file: ReceivedFile): Promise<InboundReading> {
    const store = this.deps.purchaseOrders;
    if (!store) return this.readOnce(file, () => undefined);
    const missed = new Map<string, Set<string>>();
    const purchaseOrders = (partnerId: string, poName: string): PurchaseOrderFacts | undefined => {
      const found = store.cached(partnerId, poName);
      if (!found) {
        let names = missed.get(partnerId);
        if (!names) missed.set(partnerId, (names = new Set()));
        names.add(poName);
      }
      return found;
    };
    const first = await this.readOnce(file, purchaseOrders);
    if (missed.size === 0) return first;
    for (const [partnerId, names] of missed) await store.load(partnerId, names);
    return this.readOnce(file, (partnerId, poName) => store.cached(partnerId, poName));
  }

  private readOnce(
    { bytes, source }: ReceivedFile,
    purchaseOrders: (partnerId: string, poName: string) => PurchaseOrderFacts | undefined,
  ): Promise<InboundReading> {
    const options = {
      partners: this.deps.partners,
      purchaseOrders,
      limits: this.deps.limits ?? DEFAULT_CONTENT_LIMITS,
      expectedPartnerId: source.expectedPartnerId,
      maxBytes: this.deps.maxBytes,
      ...(source.declaredSize !== undefined ? { declaredSize: source.declaredSize } : {}),
    };
    // Oversized documents go the X12 way, which refuses them unread (with a TA1 when the head names the partner).
    const edifact = Math.max(bytes.length, source.declaredSize ?? 0) <= this.deps.maxBytes && looksLikeEdifact(bytes);
    return runYielding(edifact ? parseEdifactInterchangeSteps(bytes, options) : parseX12InterchangeSteps(bytes, options));
  }

  private async commit(plan: InterchangeCommit): Promise<InboundResult> {
    const { reply } = await commitInterchange(this.deps, plan);
    const r = plan.result;
    const [interchange] = plan.records;
    const log = {
      partner: r.partnerId ?? 'unknown',
      standard: interchange?.record.standard,
      control: r.interchangeControlNumber,
      status: r.status,
      file: interchange?.record.fileName,
    };
    // Only an interchange processed under its claim holds one; a rejection is refused whole.
    if (plan.claim)
      this.deps.logger.info('EDI interchange processed', {
        ...log,
        documents: r.documents.length,
        accepted: r.documents.filter((d) => d.status === 'accepted').length,
      });
    else this.deps.logger.warn('EDI interchange rejected', { ...log, errors: r.errors });
    return { ...r, acknowledgments: reply ? [reply] : [] };
  }
}
