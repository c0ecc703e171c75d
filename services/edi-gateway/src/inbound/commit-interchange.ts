import type { BatchingPublisher, Logger } from '@odx/runtime';
import type { DocumentSender } from '../outbound/document-sender.js';
import type { DocumentLink, DocumentStore } from '../store/document-store.js';
import type { OrderFactsStore } from '../store/order-facts.js';
import type { SeenInterchanges } from '../store/seen-interchanges.js';
import type { SupplierFactsStore } from '../store/supplier-facts.js';
import type { InterchangeCommit } from './commit-plan.js';
import { sendReply } from './replies.js';

export interface CommitDeps {
  documents: DocumentStore;
  orderFacts: OrderFactsStore;
  /** Where a supplier's ship notices and draft bills are kept. @default none (a commit holding any fails) */
  supplierFacts?: SupplierFactsStore;
  seen: SeenInterchanges;
  sender: DocumentSender;
  publisher: BatchingPublisher;
  logger: Logger;
}

/**
 * Writes what one interchange leaves behind (planned by commit-plan.ts), in
 * one order for both standards and for rejections. Each step is idempotent
 * (unique inserts, deterministic event and document ids) and the claim is
 * marked done only at the end, so after a crash anywhere the same bytes
 * resume (a resent file, or the folder watcher taking over the stale claim)
 * and every step runs again harmlessly. Why this order:
 *
 * 1. Order facts (and a supplier's ship notices and draft bills, kept for the
 *    events the schemas lack), before anything announces the order: OrderConfirmed can
 *    follow OrderReceived within milliseconds, and an 855 built without the
 *    partner's lines (their line ids and units) is never sent again. A crash
 *    after this step leaves facts of an order nobody has heard of, unused
 *    until the resumed attempt.
 * 2. The events, with deterministic ids: a resumed attempt republishes the
 *    same ones and consumers drop the repeats.
 * 3. The audit records, with the offsets of their events (so after them). A
 *    crash before this step leaves events whose record comes with the resume.
 * 4. Received 997s applied to our documents, once the record naming the
 *    acknowledging document exists.
 * 5. Our reply (997, TA1, CONTRL), after the records it answers; its document
 *    id is deterministic, so a resumed attempt finds it sent and sends nothing.
 * 6. The claim marked done (from then on the control number is a duplicate)
 *    or, when no document was accepted, rejected (the partner may resend
 *    under the same control number: the next attempt).
 */
export async function commitInterchange(
  deps: CommitDeps,
  plan: InterchangeCommit,
): Promise<{ reply: { documentId: string; type: string } | null }> {
  const { supplierFacts } = plan;
  if (!deps.supplierFacts && supplierFacts.shipNotices.length + supplierFacts.vendorBills.length > 0)
    throw new Error(`supplier documents from ${supplierFacts.partnerId} to keep, and no supplier facts store`);
  await Promise.all([
    ...plan.orderFacts.map((facts) => deps.orderFacts.remember(facts)),
    deps.supplierFacts?.remember(supplierFacts.partnerId, supplierFacts),
  ]);

  const links = await deps.publisher.publishAll(plan.records.flatMap((r) => r.events));
  let next = 0;
  await Promise.all(
    plan.records.map(({ record, events }) => {
      const produced = events.map((): DocumentLink => ({ ...links[next++]!, role: 'produced' }));
      return deps.documents.insert({ ...record, links: [...record.links, ...produced] });
    }),
  );

  for (const a of plan.acknowledgments) await applyAcknowledgment(deps, a);

  const sent = plan.reply ? await sendReply({ ...plan.reply, sender: deps.sender }) : null;
  if (plan.claim) {
    const { partnerId, key, attempt, sha256, outcome } = plan.claim;
    await deps.seen.done(partnerId, key, attempt, sha256, outcome);
  }
  return { reply: sent && plan.reply ? { documentId: sent._id, type: plan.reply.reply.type } : null };
}

/** A received 997 marks our documents of that group acknowledged (or rejected by the partner). */
async function applyAcknowledgment(deps: CommitDeps, a: InterchangeCommit['acknowledgments'][number]): Promise<void> {
  const ours = await deps.documents.sentInGroup(a.partnerId, a.ack.groupControlNumber);
  for (const doc of ours) {
    const set = a.ack.sets.find((s) => s.controlNumber === doc.transactionControlNumber);
    const accepted = set ? set.accepted : a.ack.groupAccepted;
    await deps.documents.setStatus(doc._id, accepted ? 'acknowledged' : 'ack_rejected', { ackDocumentId: a.documentId });
  }
  if (ours.length === 0) deps.logger.warn('997 for a group we did not send', { partner: a.partnerId, gs06: a.ack.groupControlNumber });
}
