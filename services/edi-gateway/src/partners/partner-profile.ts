import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errorMessage } from '@odx/runtime';
import { z } from 'zod';
import { PartnerProfileError } from './partner-profile-error.js';
import { DEFAULT_PROFILE_LIMITS, type ProfileLimits } from './profile-limits.js';
import { readProfileText } from './read-profile-text.js';

export { PartnerProfileError } from './partner-profile-error.js';

/**
 * Partner codes are looked up in Maps, not plain objects: an item or unit
 * code a partner sends ("constructor", "__proto__", "toString") must not be
 * found on Object.prototype.
 */
function toMap<V>(record: Record<string, V>): ReadonlyMap<string, V> {
  return new Map(Object.entries(record));
}

const qualifier = z.string().regex(/^[A-Z0-9]{2}$/, 'a two-character ISA id qualifier, e.g. ZZ, 01, 12');
const isaId = z
  .string()
  .min(1)
  .max(15)
  .regex(/^[A-Za-z0-9 ._-]+$/, 'at most 15 characters: letters, digits, space, . _ -');
const gsId = z
  .string()
  .min(2)
  .max(15)
  .regex(/^[A-Za-z0-9 ._-]+$/, '2 to 15 characters: letters, digits, space, . _ -');
const oneChar = z.string().length(1, 'exactly one character');
const setCode = z.enum(['850', '855', '856', '810', '997']);
type SetCode = z.output<typeof setCode>;
const party = z.object({ partyId: z.string().min(1), ref: z.string().min(1).nullable().default(null), name: z.string().min(1) });

/**
 * What each role trades, by direction. A customer sends us purchase orders and we answer with the
 * order's documents; a supplier is sent our purchase orders and answers with the order's documents.
 * 997s go both ways.
 */
export const ROLE_SETS = {
  customer: { inbound: ['850', '997'], outbound: ['997', '855', '856', '810'] },
  supplier: { inbound: ['855', '856', '810', '997'], outbound: ['997', '850'] },
} as const satisfies Record<string, { inbound: readonly SetCode[]; outbound: readonly SetCode[] }>;
export type PartnerRole = keyof typeof ROLE_SETS;

/** How one partner's documents are read, validated, mapped and written. */
export const partnerProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes (it names folders and the Kafka key)'),
    name: z.string().min(1),
    /** customer: sends us 850s; supplier: we send it 850s and it answers with 855, 856 and 810. @default customer */
    role: z.enum(['customer', 'supplier']).default('customer'),
    /** Interchange ids: the partner's (they send as) and ours (they send to). */
    isa: z.object({
      partnerQualifier: qualifier,
      partnerId: isaId,
      ourQualifier: qualifier,
      ourId: isaId,
      /** ISA15 we send and accept: P production, T test. */
      usageIndicator: z.enum(['P', 'T']).default('P'),
    }),
    gs: z.object({ partnerId: gsId, ourId: gsId }),
    version: z.enum(['004010', '005010']),
    /** UN/EDIFACT interchange ids (UNB02/UNB03), for partners that also send ORDERS. */
    edifact: z.object({ partnerId: z.string().min(1).max(35), ourId: z.string().min(1).max(35) }).optional(),
    /** Separators of what we send (what the partner sends is read from its ISA). */
    separators: z
      .object({
        element: oneChar,
        segment: z
          .string()
          .min(1)
          .max(2)
          .regex(/^[^\sA-Za-z0-9]\n?$|^\n$|^\r\n$/, 'one non-alphanumeric character, optionally followed by a newline, or a newline alone'),
        component: oneChar,
        /** ISA11 in 005010 (in 004010 ISA11 is the standards id "U"). */
        repetition: oneChar.default('{'),
      })
      .superRefine((s, ctx) => {
        const chars = [s.element, s.segment[0]!, s.component, s.repetition];
        if (new Set(chars).size !== chars.length)
          ctx.addIssue({ code: 'custom', message: 'element, segment, component and repetition separators must all differ' });
      }),
    /** Each list defaults to everything the role trades in that direction (ROLE_SETS); a list may only narrow it. */
    transactionSets: z.object({ inbound: z.array(setCode).optional(), outbound: z.array(setCode).optional() }).default({}),
    transport: z
      .object({
        /** Folder tree <root>/<id>/{inbound,archive,error,outbound}; root from EDI_FOLDER_ROOT when not set here. */
        folder: z.object({ enabled: z.boolean().default(true), root: z.string().min(1).optional() }).default({ enabled: true }),
        http: z
          .object({
            /** Environment variable holding the bearer token the partner posts with. */
            inboundTokenEnv: z
              .string()
              .regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name, e.g. EDI_TOKEN_NORTHWIND')
              .optional(),
            /** Where documents for the partner are POSTed (besides the outbound folder). */
            outboundUrl: z.url().optional(),
            outboundTokenEnv: z
              .string()
              .regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name')
              .optional(),
          })
          .default({}),
      })
      .default({ folder: { enabled: true }, http: {} }),
    /** The Odoo customer the partner's orders are booked on (customers only). */
    customer: party.nullable().default(null),
    /**
     * The Odoo vendor the partner is (suppliers only): a purchase order goes to this partner when its
     * vendor names the profile (ediPartnerId), or has this ref, or this partyId.
     */
    vendor: party.nullable().default(null),
    mappings: z
      .object({
        /** Partner product id (UPC, buyer part number, vendor part number) -> our SKU; a supplier's part numbers too. */
        items: z.record(z.string(), z.string().min(1)).default({}).transform(toMap),
        /** Partner unit-of-measure code -> ours (e.g. CA -> CS). */
        uom: z.record(z.string(), z.string().min(1)).default({}).transform(toMap),
        /** Ship-to location code (N104) -> Odoo delivery address. */
        shipTo: z
          .record(
            z.string(),
            z.object({
              addressId: z.string().min(1).nullable().default(null),
              name: z.string().nullable().default(null),
              street1: z.string().nullable().default(null),
              city: z.string().nullable().default(null),
              region: z.string().nullable().default(null),
              postalCode: z.string().nullable().default(null),
              countryCode: z.string().length(2).nullable().default(null),
            }),
          )
          .default({})
          .transform(toMap),
      })
      .prefault({}),
    orders: z
      .object({
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'ISO 4217 code')
          .default('USD'),
        warehouseCode: z.string().min(1).nullable().default(null),
        /** Reject an 850 line whose item has no mapping (else the partner's id is passed on as SKU). */
        requireItemMapping: z.boolean().default(true),
      })
      .default({ currency: 'USD', warehouseCode: null, requireItemMapping: true }),
    acknowledgments: z
      .object({
        /** How long our documents may wait for the partner's 997 before an alert. */
        windowMinutes: z
          .number()
          .int()
          .positive()
          .default(24 * 60),
        /** Send a 997 for each functional group received. */
        send997: z.boolean().default(true),
      })
      .default({ windowMinutes: 24 * 60, send997: true }),
    outbound: z
      .object({
        /** What we send: X12 855/856/810, or EDIFACT DESADV/INVOIC (needs `edifact` ids; no order response). */
        standard: z.enum(['X12', 'EDIFACT']).default('X12'),
        /** 855 BAK02: AD acknowledge with detail, AC with detail and change. */
        ack855Type: z.enum(['AD', 'AC', 'AK']).default('AD'),
        /** 856 hierarchy: SOPI (shipment/order/pack/item). */
        asnStructure: z.enum(['SOPI']).default('SOPI'),
        /** Our GS1 company prefix, used only when a package carries no SSCC. */
        gs1CompanyPrefix: z
          .string()
          .regex(/^\d{7,10}$/, '7 to 10 digits')
          .nullable()
          .default(null),
      })
      .default({ standard: 'X12', ack855Type: 'AD', asnStructure: 'SOPI', gs1CompanyPrefix: null }),
  })
  .superRefine((p, ctx) => {
    if (p.outbound.standard === 'EDIFACT' && !p.edifact)
      ctx.addIssue({ code: 'custom', path: ['edifact'], message: 'required when outbound.standard is EDIFACT' });
    const other: PartnerRole = p.role === 'customer' ? 'supplier' : 'customer';
    if (p.role === 'customer' && !p.customer)
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'required for a customer (role: customer, the default)' });
    if (p.role === 'supplier' && !p.vendor)
      ctx.addIssue({ code: 'custom', path: ['vendor'], message: 'required for a supplier (role: supplier): partyId, ref, name' });
    if (p.role === 'supplier' && p.customer)
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'a supplier has no customer; name the Odoo vendor under vendor' });
    if (p.role === 'customer' && p.vendor)
      ctx.addIssue({ code: 'custom', path: ['vendor'], message: 'a customer has no vendor; set role: supplier for a supplier' });
    if (p.role === 'supplier' && p.outbound.standard === 'EDIFACT')
      ctx.addIssue({ code: 'custom', path: ['outbound', 'standard'], message: 'suppliers trade X12 only (850 out, 855/856/810 in)' });
    for (const direction of ['inbound', 'outbound'] as const) {
      const allowed: readonly string[] = ROLE_SETS[p.role][direction];
      (p.transactionSets[direction] ?? []).forEach((code, i) => {
        if (!allowed.includes(code))
          ctx.addIssue({
            code: 'custom',
            path: ['transactionSets', direction, i],
            message: `a ${p.role} ${direction === 'inbound' ? 'does not send us' : 'is not sent'} ${code}s (${direction} for a ${p.role}: ${allowed.join(', ')}; ${code} ${direction} is for a ${other})`,
          });
      });
    }
  })
  .transform((p) => {
    const inbound: SetCode[] = p.transactionSets.inbound ?? [...ROLE_SETS[p.role].inbound];
    const outbound: SetCode[] = p.transactionSets.outbound ?? [...ROLE_SETS[p.role].outbound];
    return { ...p, transactionSets: { inbound, outbound } };
  });

export type PartnerProfile = z.output<typeof partnerProfileSchema>;

/** Parses one profile's text (YAML, or JSON for *.json) within `limits`; `file` names it in errors. */
export function parsePartnerProfile(text: string, file: string, limits: ProfileLimits = DEFAULT_PROFILE_LIMITS): PartnerProfile {
  const result = partnerProfileSchema.safeParse(readProfileText(text, file, limits));
  if (!result.success) {
    throw new PartnerProfileError(
      file,
      result.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(root)', message: i.message })),
    );
  }
  const stem = basename(file).replace(/\.(ya?ml|json)$/, '');
  if (stem !== result.data.id)
    throw new PartnerProfileError(file, [{ field: 'id', message: `must match the file name ("${stem}"), got "${result.data.id}"` }]);
  return result.data;
}

/** Reads and parses one profile file; one over the size cap is refused before it is read. */
function loadProfileFile(path: string, limits: ProfileLimits): PartnerProfile {
  const { size } = statSync(path);
  if (size > limits.maxBytes) throw PartnerProfileError.overCap(path, 'maxBytes', limits, `${size} bytes`);
  return parsePartnerProfile(readFileSync(path, 'utf8'), path, limits);
}

/** Every partner: loaded once, indexed by id and by the ISA ids they send as. */
export class PartnerDirectory {
  private readonly byId = new Map<string, PartnerProfile>();
  private readonly byIsa = new Map<string, PartnerProfile>();
  private readonly byUnb = new Map<string, PartnerProfile>();
  private readonly suppliers: PartnerProfile[] = [];

  constructor(profiles: PartnerProfile[]) {
    for (const p of profiles) {
      if (this.byId.has(p.id)) throw new Error(`two partner profiles have the id "${p.id}"`);
      const key = isaKey(p.isa.partnerQualifier, p.isa.partnerId);
      const other = this.byIsa.get(key);
      if (other) throw new Error(`partners "${other.id}" and "${p.id}" both send as ISA ${key}`);
      this.byId.set(p.id, p);
      this.byIsa.set(key, p);
      if (p.role === 'supplier') this.suppliers.push(p);
      if (p.edifact) {
        const clash = this.byUnb.get(p.edifact.partnerId);
        if (clash) throw new Error(`partners "${clash.id}" and "${p.id}" both send as UNB ${p.edifact.partnerId}`);
        this.byUnb.set(p.edifact.partnerId, p);
      }
    }
  }

  /** Loads every *.yaml, *.yml and *.json file in `dir` within `limits`; one error lists every bad file. */
  static fromDirectory(dir: string, limits: ProfileLimits = DEFAULT_PROFILE_LIMITS): PartnerDirectory {
    const files = readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort();
    const profiles: PartnerProfile[] = [];
    const errors: string[] = [];
    for (const f of files) {
      try {
        profiles.push(loadProfileFile(join(dir, f), limits));
      } catch (err) {
        errors.push(errorMessage(err));
      }
    }
    if (errors.length > 0) throw new Error(errors.join('\n'));
    return new PartnerDirectory(profiles);
  }

  get(id: string): PartnerProfile | undefined {
    return this.byId.get(id);
  }

  /** The partner that sends as ISA05/ISA06. */
  bySender(qualifier: string, id: string): PartnerProfile | undefined {
    return this.byIsa.get(isaKey(qualifier, id));
  }

  /** The partner that sends as UNB02. */
  byEdifactSender(id: string): PartnerProfile | undefined {
    return this.byUnb.get(id);
  }

  /**
   * The supplier partner of a purchase order's vendor: named by the vendor's ediPartnerId, else the
   * supplier profile whose vendor has the same ref, else the same partyId; undefined for other vendors.
   */
  supplierFor(vendor: { partyId: string; ref: string | null; ediPartnerId: string | null }): PartnerProfile | undefined {
    if (vendor.ediPartnerId) {
      const named = this.byId.get(vendor.ediPartnerId);
      return named?.role === 'supplier' ? named : undefined;
    }
    return (
      this.suppliers.find((p) => vendor.ref !== null && p.vendor?.ref === vendor.ref) ??
      this.suppliers.find((p) => p.vendor?.partyId === vendor.partyId)
    );
  }

  all(): PartnerProfile[] {
    return [...this.byId.values()];
  }
}

function isaKey(qualifier: string, id: string): string {
  return `${qualifier.trim()}/${id.trim()}`;
}
