import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

export const addressSchema = z.object({
  name: text(200),
  company: text(200).optional(),
  street1: text(200),
  street2: z.string().max(200).optional(),
  city: text(100),
  region: z.string().max(50).optional(),
  postalCode: text(20),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. DE'),
  phone: z.string().max(50).optional(),
  email: z.email().max(200).optional(),
});

/** Body of `POST /v1/outbound-orders`. Unknown fields are ignored. */
export const createOutboundOrderSchema = z.object({
  externalRef: text(100),
  warehouse: text(20),
  shipTo: addressSchema,
  lines: z
    .array(
      z.object({
        lineRef: z.string().max(100).optional(),
        sku: text(64),
        qty: z.number().int().positive().max(1_000_000),
        uom: z.string().min(1).max(10).default('EA'),
      }),
    )
    .min(1)
    .max(500)
    .refine((lines) => lines.reduce((sum, l) => sum + l.qty, 0) <= 100_000, 'at most 100000 units per order'),
  requestedShipDate: z.iso.date(),
  carrierHint: z.string().max(50).optional(),
});

export type CreateOutboundOrder = z.output<typeof createOutboundOrderSchema>;
export type Address = z.output<typeof addressSchema>;

export type OrderStatus = 'received' | 'picked' | 'packed' | 'shipped' | 'cancelled';

export interface OrderLine {
  lineNumber: number;
  lineRef: string | null;
  sku: string;
  qty: number;
  uom: string;
  allocatedQty: number;
  pickedQty: number;
  shippedQty: number;
}

export interface PackageContent {
  lineNumber: number;
  lineRef: string | null;
  sku: string;
  qty: number;
}

/** A handling unit: a labelled carton. */
export interface Package {
  /** WMS licence plate number. */
  packageId: string;
  /** GS1 SSCC-18 on the carton label. */
  sscc: string;
  packageType: 'CARTON';
  weightKg: number;
  dimensions: { lengthCm: number; widthCm: number; heightCm: number };
  contents: PackageContent[];
}

export interface OutboundOrder {
  id: string;
  externalRef: string;
  warehouse: string;
  status: OrderStatus;
  shipTo: Address;
  lines: OrderLine[];
  requestedShipDate: string;
  carrierHint: string | null;
  /** True once a line was picked below its ordered quantity. */
  shortPicked: boolean;
  packages: Package[];
  /** Bill of lading number, set when shipped. */
  bolNumber: string | null;
  cancelReason: string | null;
  /** Increases with every change; webhook receivers can order snapshots by it. */
  version: number;
  createdAt: string;
  updatedAt: string;
  pickedAt: string | null;
  packedAt: string | null;
  shippedAt: string | null;
  cancelledAt: string | null;
}

/** The order after `status`, or null at the end of the line. */
export function nextStatus(status: OrderStatus): OrderStatus | null {
  switch (status) {
    case 'received':
      return 'picked';
    case 'picked':
      return 'packed';
    case 'packed':
      return 'shipped';
    default:
      return null;
  }
}
