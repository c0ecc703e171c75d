import type { Shipment, ShipmentLine } from '@odx/schemas';
import type { BookingFacts } from '../model/booking-facts.js';
import type { PartnerOrder } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { ccyymmdd, hhmm, type SegmentSpec, type SetBody } from '../x12/build-interchange.js';
import { toX12Decimal } from '../x12/x12-numbers.js';
import { partnerUom, productIdPairs } from './build-855.js';
import { ssccFor } from './sscc.js';

/** ODX service levels -> X12 element 284 codes. */
const SERVICE_LEVEL_CODES: Record<string, string> = {
  GROUND: 'SG',
  STANDARD: 'SG',
  ECONOMY: 'SG',
  '2DAY': 'SE',
  EXPRESS: 'ND',
  NEXTDAY: 'ND',
  OVERNIGHT: 'ON',
};

/** Why an ASN cannot be built (permanent: the event itself lacks what an 856 needs). */
export class AsnDataError extends Error {
  readonly kind = 'permanent' as const;
  override readonly name = 'AsnDataError';
}

/**
 * ShipmentDispatched snapshot -> 856 ship notice, hierarchy shipment / order /
 * pack / item (BSN05 0001): SSCC-18 per package (MAN*GM), carrier SCAC (TD5),
 * BOL and tracking (REF*BM, REF*CN, MAN*CP per parcel).
 */
export function build856(
  s: Shipment,
  dispatchedAt: Date,
  partnerOrder: PartnerOrder,
  profile: PartnerProfile,
  booking: BookingFacts | null = null,
): SetBody {
  if (s.packages.length === 0) throw new AsnDataError(`shipment ${s.shipmentId} has no packages`);
  const packs = s.packages.map((p) => ({ ...p, contents: p.contents.length > 0 ? p.contents : ([] as ShipmentLine[]) }));
  if (packs.every((p) => p.contents.length === 0)) {
    if (packs.length !== 1 || s.lines.length === 0)
      throw new AsnDataError(`shipment ${s.shipmentId} does not say what each of its ${packs.length} packages holds`);
    packs[0]!.contents = s.lines;
  }
  const scac = s.carrierCode ?? booking?.carrierCode ?? null;
  const tracking = s.trackingNumber ?? booking?.trackingNumber ?? null;
  const bol = s.bookingRef ?? booking?.bookingRef ?? null;
  const totalWeight = s.totalWeightKg ?? sumWeights(packs.map((p) => p.weightKg));
  const segments: SegmentSpec[] = [
    ['BSN', '00', (s.name ?? s.shipmentId).slice(0, 30), ccyymmdd(dispatchedAt), hhmm(dispatchedAt), '0001'],
    ['HL', '1', '', 'S'],
    ['TD1', 'CTN25', String(packs.length), '', '', '', 'G', toX12Decimal(totalWeight), 'KG'],
  ];
  const levelKey = s.serviceLevel?.toUpperCase();
  const level = levelKey && Object.hasOwn(SERVICE_LEVEL_CODES, levelKey) ? SERVICE_LEVEL_CODES[levelKey] : undefined;
  // TD512 (service level, element 284) only when the level has an X12 code.
  if (scac) segments.push(['TD5', 'B', '2', scac.slice(0, 4).toUpperCase(), ...(level ? ['', '', '', '', '', '', '', '', level] : [])]);
  if (bol) segments.push(['REF', 'BM', bol.slice(0, 30)]);
  if (tracking) segments.push(['REF', 'CN', tracking.slice(0, 30)]);
  segments.push(['DTM', '011', ccyymmdd(s.shippedAt ?? dispatchedAt)]);
  if (s.estimatedDeliveryAt) segments.push(['DTM', '017', ccyymmdd(s.estimatedDeliveryAt)]);
  segments.push([
    'N1',
    'ST',
    (s.shipTo.name ?? s.shipTo.companyName ?? 'SHIP TO').slice(0, 60),
    ...(s.shipTo.locationCode ? ['92', s.shipTo.locationCode] : []),
  ]);
  if (s.shipTo.street1) segments.push(['N3', s.shipTo.street1.slice(0, 55), ...(s.shipTo.street2 ? [s.shipTo.street2.slice(0, 55)] : [])]);
  if (s.shipTo.city)
    segments.push(['N4', s.shipTo.city.slice(0, 30), s.shipTo.region ?? '', s.shipTo.postalCode ?? '', s.shipTo.countryCode ?? '']);
  segments.push(['N1', 'SF', (s.shipFrom?.name ?? s.warehouseCode).slice(0, 60)]);
  let hl = 1;
  segments.push(['HL', String(++hl), '1', 'O']);
  const orderHl = hl;
  segments.push(['PRF', partnerOrder.poNumber, '', '', ccyymmdd(partnerOrder.poDate)]);
  for (const p of packs) {
    const sscc = ssccFor(p.packageId, p.sscc, profile.outbound.gs1CompanyPrefix);
    if (!sscc)
      throw new AsnDataError(
        `package ${p.packageId} has no valid SSCC and the profile of ${profile.id} has no GS1 company prefix to make one`,
      );
    segments.push(['HL', String(++hl), String(orderHl), 'P']);
    const packHl = hl;
    segments.push(['MAN', 'GM', sscc]);
    const parcel = p.trackingNumber ?? booking?.packageTrackingNumbers[p.packageId] ?? null;
    if (parcel) segments.push(['MAN', 'CP', parcel.slice(0, 48)]);
    for (const c of p.contents) {
      const ordered = partnerOrder.lines.find((l) => (c.lineNumber !== null && l.lineNumber === c.lineNumber) || l.sku === c.sku);
      segments.push(['HL', String(++hl), String(packHl), 'I']);
      segments.push([
        'LIN',
        ordered?.buyerLineId ?? (c.lineNumber !== null ? String(c.lineNumber) : ''),
        ...productIdPairs(c.sku, ordered, c.gtin),
      ]);
      segments.push(['SN1', '', toX12Decimal(c.quantity), ordered?.partnerUom ?? partnerUom(profile, c.uom)]);
      if (c.lotNumber) segments.push(['REF', 'LT', c.lotNumber.slice(0, 30)]);
    }
  }
  segments.push(['CTT', String(hl)]);
  return { code: '856', segments };
}

function sumWeights(weights: string[]): string {
  let total = 0n;
  for (const w of weights) {
    const [i = '0', f = ''] = w.split('.');
    total += BigInt(`${i}${f.padEnd(4, '0').slice(0, 4)}`);
  }
  const s = total.toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}`;
}
