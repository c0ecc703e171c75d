import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from '../model/content-limits.js';
import { runNow, type Stepwise } from '../model/stepwise.js';
import type { PurchaseOrder, PurchaseOrderLine } from '../model/purchase-order.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { validDate } from '../x12/read-interchange.js';
import { formatScaled, parseX12Decimal } from '../x12/x12-numbers.js';
import { segmentText, tokenizeEdifact, type EdifactSegment } from './tokenize.js';

export interface EdifactMessage {
  /** UNH01 message reference. */
  reference: string;
  /** UNH02, e.g. ORDERS:D:96A:UN. */
  type: string;
  text: string;
  errors: string[];
  po: PurchaseOrder | null;
}

export type EdifactReading =
  | { ok: true; partner: PartnerProfile; controlRef: string; sender: string; recipient: string; messages: EdifactMessage[] }
  | {
      ok: false;
      partner: PartnerProfile | null;
      controlRef: string | null;
      sender: string | null;
      recipient: string | null;
      problems: string[];
    };

/** True when the document is UN/EDIFACT (starts with UNA or UNB). */
export function looksLikeEdifact(bytes: Buffer): boolean {
  const head = bytes
    .subarray(0, 16)
    .toString('latin1')
    .replace(/^[\s]+/, '');
  return head.startsWith('UNA') || head.startsWith('UNB');
}

const c = (seg: EdifactSegment | undefined, e: number, k = 0): string => seg?.elements[e]?.[k] ?? '';

/** EDIFACT item number types (7143) -> the X12 qualifiers profiles map by. */
const ITEM_TYPES = new Map([
  ['EN', 'EN'],
  ['SRV', 'EN'],
  ['UP', 'UP'],
  ['BP', 'BP'],
  ['IN', 'IN'],
  ['SA', 'VP'],
  ['VN', 'VP'],
  ['MF', 'VP'],
]);

/**
 * Reads an EDIFACT interchange (tokenize.ts, linear, within `limits`) and its ORDERS
 * messages: UNB/UNZ and UNH/UNT envelope (counts, references, ids against the
 * profile), then BGM, DTM, CUX, NAD, LIN/PIA/IMD/QTY/PRI and CNT into the same
 * purchase order an 850 gives, items and units mapped through the profile.
 */
export function readEdifactOrders(
  bytes: Buffer,
  partners: PartnerDirectory,
  expectedPartnerId: string | null,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
): EdifactReading {
  return runNow(readEdifactOrdersSteps(bytes, partners, expectedPartnerId, limits));
}

/** readEdifactOrders with checkpoints (model/stepwise.ts) while tokenizing and between messages. */
export function* readEdifactOrdersSteps(
  bytes: Buffer,
  partners: PartnerDirectory,
  expectedPartnerId: string | null,
  limits: ContentLimits,
): Stepwise<EdifactReading> {
  const hinted = expectedPartnerId ? (partners.get(expectedPartnerId) ?? null) : null;
  const text = bytes.toString('latin1').trim();
  const { segments: segs, problem } = yield* tokenizeEdifact(text, limits);
  const unb = segs[0];
  if (unb?.name !== 'UNB') {
    const why = problem ? `not a readable EDIFACT interchange: ${problem.message}` : 'the interchange does not start with UNB';
    return { ok: false, partner: hinted, controlRef: null, sender: null, recipient: null, problems: [why] };
  }
  const sender = c(unb, 1);
  const recipient = c(unb, 2);
  const controlRef = c(unb, 4);
  const base = { controlRef: controlRef || null, sender, recipient };
  const partner = partners.byEdifactSender(sender);
  if (!partner || !partner.edifact) return { ok: false, partner: hinted, ...base, problems: [`no partner profile sends as UNB ${sender}`] };
  if (hinted && hinted.id !== partner.id)
    return {
      ok: false,
      partner: hinted,
      ...base,
      problems: [`the interchange comes from partner "${partner.id}" but arrived on the channel of "${hinted.id}"`],
    };
  if (recipient !== partner.edifact.ourId)
    return { ok: false, partner, ...base, problems: [`UNB03 is "${recipient}", expected our id "${partner.edifact.ourId}"`] };
  if (!controlRef) return { ok: false, partner, ...base, problems: ['UNB05 (interchange control reference) is missing'] };
  // The UNB named the partner, so a refusal can be answered with a CONTRL.
  if (problem)
    return {
      ok: false,
      partner,
      ...base,
      problems: [
        problem.kind === 'limit'
          ? `${problem.message}; the interchange is refused`
          : `not a readable EDIFACT interchange: ${problem.message}`,
      ],
    };
  const unz = segs[segs.length - 1];
  if (unz?.name !== 'UNZ') return { ok: false, partner, ...base, problems: ['the UNZ trailer is missing'] };
  const messageCount = segs.filter((s) => s.name === 'UNH').length;
  if (c(unz, 0) !== String(messageCount))
    return { ok: false, partner, ...base, problems: [`UNZ01 says ${c(unz, 0)} messages, the interchange has ${messageCount}`] };
  if (c(unz, 1) !== controlRef)
    return { ok: false, partner, ...base, problems: [`UNZ02 (${c(unz, 1)}) does not match UNB05 (${controlRef})`] };

  const messages: EdifactMessage[] = [];
  for (let i = 1; i < segs.length - 1; i++) {
    yield;
    if (segs[i]!.name !== 'UNH') return { ok: false, partner, ...base, problems: [`segment ${segs[i]!.name} outside a message`] };
    // Searched from the UNH on, not from the start: one pass over the interchange in all.
    let end = i + 1;
    while (end < segs.length && segs[end]!.name !== 'UNT' && segs[end]!.name !== 'UNH' && segs[end]!.name !== 'UNZ') end++;
    if (end >= segs.length) end = -1;
    const unh = segs[i]!;
    const body = segs.slice(i + 1, end < 0 ? segs.length - 1 : end);
    const unt = end >= 0 && segs[end]!.name === 'UNT' ? segs[end]! : undefined;
    const errors: string[] = [];
    const reference = c(unh, 0);
    const type = (unh.elements[1] ?? []).join(':');
    if (!unt) errors.push('the UNT trailer is missing');
    else {
      if (c(unt, 0) !== String(body.length + 2)) errors.push(`UNT01 says ${c(unt, 0)} segments, the message has ${body.length + 2}`);
      if (c(unt, 1) !== reference) errors.push(`UNT02 (${c(unt, 1)}) does not match UNH01 (${reference})`);
    }
    if (c(unh, 1) !== 'ORDERS') errors.push(`message type ${c(unh, 1) || '(none)'} is not accepted; only ORDERS`);
    const read = errors.length ? { po: null, errors: [] } : readOrders(body, partner, limits);
    messages.push({
      reference,
      type,
      text: [unh, ...body, ...(unt ? [unt] : [])].map(segmentText).join(''),
      errors: [...errors, ...read.errors],
      po: read.po,
    });
    i = unt ? end : end - 1;
  }
  return { ok: true, partner, controlRef, sender, recipient, messages };
}

function readOrders(
  body: EdifactSegment[],
  profile: PartnerProfile,
  limits: ContentLimits,
): { po: PurchaseOrder | null; errors: string[] } {
  const errors: string[] = [];
  const lineCount = body.reduce((n, s) => (s.name === 'LIN' ? n + 1 : n), 0);
  if (lineCount > limits.maxLinesPerDocument)
    return {
      po: null,
      errors: [`the message has ${lineCount} LIN lines, more than the ${limits.maxLinesPerDocument} accepted in one document`],
    };
  const bgm = body.find((s) => s.name === 'BGM');
  const poNumber = c(bgm, 1);
  if (!bgm) errors.push('BGM is missing');
  else if (!poNumber) errors.push('BGM02 (order number) is missing');
  let poDate: Date | null = null;
  let requested: Date | null = null;
  let currency = profile.orders.currency;
  let shipTo: PurchaseOrder['shipTo'] = null;
  const lines: PurchaseOrderLine[] = [];
  let line: PurchaseOrderLine | null = null;
  let declaredLines: string | null = null;
  for (const s of body) {
    switch (s.name) {
      case 'DTM': {
        const [q = '', v = '', f = '102'] = s.elements[0] ?? [];
        if (f !== '102' || !validDate(v)) {
          errors.push(`DTM ${q}: "${v}" is not a CCYYMMDD (102) date`);
          break;
        }
        const d = new Date(Date.UTC(Number(v.slice(0, 4)), Number(v.slice(4, 6)) - 1, Number(v.slice(6, 8))));
        if (q === '137') poDate = d;
        else if (q === '2') {
          if (line) line.requestedDate = d;
          else requested = d;
        }
        break;
      }
      case 'CUX':
        if (c(s, 0, 1)) currency = c(s, 0, 1);
        break;
      case 'NAD':
        if (c(s, 0) === 'DP' || c(s, 0) === 'ST') {
          const code = c(s, 1) || null;
          const mapped = code ? profile.mappings.shipTo.get(code) : undefined;
          shipTo = {
            locationCode: code,
            name: mapped?.name ?? (c(s, 3) || null),
            street1: mapped?.street1 ?? (c(s, 4) || null),
            street2: null,
            city: mapped?.city ?? (c(s, 5) || null),
            region: mapped?.region ?? null,
            postalCode: mapped?.postalCode ?? (c(s, 7) || null),
            countryCode: mapped?.countryCode ?? (c(s, 8) || null),
          };
        }
        break;
      case 'LIN': {
        const id = c(s, 2);
        const type = c(s, 2, 1);
        const productIds: Record<string, string> = {};
        if (id) productIds[ITEM_TYPES.get(type) ?? 'EN'] = id;
        line = {
          lineNumber: Number(c(s, 0)) || lines.length + 1,
          buyerLineId: c(s, 0) || String(lines.length + 1),
          quantity: '',
          partnerUom: 'PCE',
          uom: 'EA',
          unitPrice: null,
          productIds,
          sku: '',
          gtin: null,
          description: null,
          requestedDate: null,
        };
        lines.push(line);
        break;
      }
      case 'PIA':
        if (line) for (const [id = '', type = ''] of s.elements.slice(1)) if (id) line.productIds[ITEM_TYPES.get(type) ?? type] = id;
        break;
      case 'IMD':
        if (line && c(s, 2, 3)) line.description = c(s, 2, 3);
        break;
      case 'QTY':
        if (line && c(s, 0) === '21') {
          const q = parseX12Decimal(c(s, 0, 1), 4);
          if (q === null || q <= 0n) errors.push(`LIN ${line.buyerLineId}: quantity "${c(s, 0, 1)}" is not a positive number`);
          else line.quantity = formatScaled(q, 4);
          line.partnerUom = c(s, 0, 2) || 'PCE';
          line.uom = profile.mappings.uom.get(line.partnerUom) ?? (line.partnerUom === 'PCE' ? 'EA' : line.partnerUom);
        }
        break;
      case 'PRI':
        if (line && (c(s, 0) === 'AAA' || c(s, 0) === 'AAB')) {
          const p = parseX12Decimal(c(s, 0, 1), 6);
          if (p === null || p < 0n) errors.push(`LIN ${line.buyerLineId}: price "${c(s, 0, 1)}" is not a number`);
          else line.unitPrice = formatScaled(p, 6);
        }
        break;
      case 'CNT':
        if (c(s, 0) === '2') declaredLines = c(s, 0, 1);
        break;
      default:
        break;
    }
  }
  if (!poDate) errors.push('DTM+137 (order date) is missing');
  if (lines.length === 0) errors.push('the order has no LIN line');
  for (const l of lines) {
    if (!l.quantity) errors.push(`LIN ${l.buyerLineId}: QTY+21 is missing`);
    const mapped = Object.values(l.productIds)
      .map((id) => profile.mappings.items.get(id))
      .find((x) => x !== undefined);
    if (!mapped && profile.orders.requireItemMapping)
      errors.push(`LIN ${l.buyerLineId}: item ${Object.values(l.productIds).join('/') || '(none)'} is not in the partner profile`);
    l.sku = mapped ?? l.productIds['VP'] ?? Object.values(l.productIds)[0] ?? '';
    if (!l.sku) errors.push(`LIN ${l.buyerLineId}: no item number`);
    l.gtin = l.productIds['EN'] ?? l.productIds['UP'] ?? null;
  }
  if (declaredLines !== null && declaredLines !== String(lines.length))
    errors.push(`CNT+2 says ${declaredLines} lines, the order has ${lines.length}`);
  if (errors.length) return { po: null, errors };
  return {
    po: {
      purpose: '00',
      orderType: 'SA',
      poNumber,
      poDate: poDate!,
      currency,
      requestedDeliveryDate: requested,
      shipTo,
      lines,
      notes: null,
    },
    errors,
  };
}
