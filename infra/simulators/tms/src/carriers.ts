/** Service levels a rate request can ask for. */
export type ServiceLevel = 'economy' | 'standard' | 'express' | 'freight';

export interface CarrierService {
  code: string;
  name: string;
  level: ServiceLevel;
  /** Transit days within one postal region. */
  baseDays: number;
  /** Per package (parcel) or per shipment (freight), in cents. */
  baseCents: number;
  perKgCents: number;
}

export interface Carrier {
  code: string;
  name: string;
  /** SCAC-style code; illustrative for a simulator. */
  scac: string;
  mode: 'parcel' | 'ltl';
  services: CarrierService[];
}

/** Parcel carriers refuse packages above this weight. */
export const PARCEL_MAX_KG = 31.5;
/** The LTL carrier quotes from this total weight on, within one country. */
export const LTL_MIN_KG = 30;

export const CARRIERS: readonly Carrier[] = [
  {
    code: 'DHL',
    name: 'DHL',
    scac: 'DHLC',
    mode: 'parcel',
    services: [
      { code: 'DHL_EXPRESS', name: 'DHL Express', level: 'express', baseDays: 1, baseCents: 1890, perKgCents: 120 },
      { code: 'DHL_PARCEL', name: 'DHL Parcel', level: 'standard', baseDays: 2, baseCents: 690, perKgCents: 45 },
    ],
  },
  {
    code: 'UPS',
    name: 'UPS',
    scac: 'UPSN',
    mode: 'parcel',
    services: [
      { code: 'UPS_EXPRESS_SAVER', name: 'UPS Express Saver', level: 'express', baseDays: 1, baseCents: 2150, perKgCents: 110 },
      { code: 'UPS_STANDARD', name: 'UPS Standard', level: 'standard', baseDays: 2, baseCents: 720, perKgCents: 50 },
    ],
  },
  {
    code: 'DPD',
    name: 'DPD',
    scac: 'DPDG',
    mode: 'parcel',
    services: [
      { code: 'DPD_CLASSIC', name: 'DPD Classic', level: 'standard', baseDays: 2, baseCents: 590, perKgCents: 40 },
      { code: 'DPD_ECONOMY', name: 'DPD Economy', level: 'economy', baseDays: 4, baseCents: 450, perKgCents: 35 },
    ],
  },
  {
    code: 'NRL',
    name: 'Nordic Regional Logistics',
    scac: 'NRLX',
    mode: 'ltl',
    services: [{ code: 'NRL_LTL', name: 'NRL Less-than-truckload', level: 'freight', baseDays: 3, baseCents: 6500, perKgCents: 18 }],
  },
];

export function findService(carrierCode: string, serviceCode: string): { carrier: Carrier; service: CarrierService } | undefined {
  const carrier = CARRIERS.find((c) => c.code === carrierCode.toUpperCase());
  const service = carrier?.services.find((s) => s.code === serviceCode.toUpperCase());
  return carrier === undefined || service === undefined ? undefined : { carrier, service };
}
