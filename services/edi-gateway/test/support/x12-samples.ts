// Sample interchanges as trading partners send them, written out segment by segment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePartnerProfile, type PartnerProfile } from '../../src/partners/partner-profile.js';

export const PARTNERS_DIR = fileURLToPath(new URL('../../../../infra/partners/', import.meta.url));

export function loadSampleProfile(id: 'northwind' | 'globex'): PartnerProfile {
  const file = `${PARTNERS_DIR}${id}.yaml`;
  return parsePartnerProfile(readFileSync(file, 'utf8'), file);
}

export interface Style {
  element: string;
  segment: string;
  component: string;
  /** ISA11: U (004010) or the repetition separator. */
  isa11: string;
  isa12: string;
  gs08: string;
}

export const NORTHWIND_STYLE: Style = { element: '*', segment: '~\n', component: '>', isa11: 'U', isa12: '00401', gs08: '004010' };
export const GLOBEX_STYLE: Style = { element: '|', segment: '\n', component: '^', isa11: '{', isa12: '00501', gs08: '005010' };

export interface SampleSet {
  code?: string;
  st02: string;
  segments: string[][];
  /** Override SE01 / SE02. */
  se01?: string;
  se02?: string;
  omitSe?: boolean;
}

export interface SampleGroup {
  functionalId?: string;
  gs06: string;
  sets: SampleSet[];
  gs02?: string;
  gs03?: string;
  ge01?: string;
  ge02?: string;
  omitGe?: boolean;
}

export interface SampleInterchange {
  style: Style;
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  isa13: string;
  groups: SampleGroup[];
  usage?: string;
  iea01?: string;
  iea02?: string;
  omitIea?: boolean;
}

export function northwindEnvelope(isa13: string, groups: SampleGroup[]): SampleInterchange {
  return {
    style: NORTHWIND_STYLE,
    sender: { qualifier: 'ZZ', id: 'NORTHWIND' },
    receiver: { qualifier: 'ZZ', id: 'ODXDIST' },
    isa13,
    groups: groups.map((g) => ({ gs02: 'NORTHWIND', gs03: 'ODXDIST', ...g })),
  };
}

export function globexEnvelope(isa13: string, groups: SampleGroup[]): SampleInterchange {
  return {
    style: GLOBEX_STYLE,
    sender: { qualifier: '01', id: '123456789' },
    receiver: { qualifier: '01', id: '987654321' },
    isa13,
    groups: groups.map((g) => ({ gs02: 'GLOBEXSUP', gs03: 'ODXDIST', ...g })),
  };
}

/** Serializes a sample interchange exactly as described (including deliberate mistakes). */
export function render(x: SampleInterchange): string {
  const { element: e, segment: t } = x.style;
  const seg = (parts: string[]): string => parts.join(e) + t;
  let out = seg([
    'ISA',
    '00',
    ''.padEnd(10),
    '00',
    ''.padEnd(10),
    x.sender.qualifier,
    x.sender.id.padEnd(15),
    x.receiver.qualifier,
    x.receiver.id.padEnd(15),
    '261120',
    '1015',
    x.style.isa11,
    x.style.isa12,
    x.isa13,
    '0',
    x.usage ?? 'P',
    x.style.component,
  ]);
  for (const g of x.groups) {
    out += seg(['GS', g.functionalId ?? 'PO', g.gs02 ?? '', g.gs03 ?? '', '20261120', '1015', g.gs06, 'X', x.style.gs08]);
    for (const s of g.sets) {
      out += seg(['ST', s.code ?? '850', s.st02]);
      for (const body of s.segments) out += seg(body);
      if (!s.omitSe) out += seg(['SE', s.se01 ?? String(s.segments.length + 2), s.se02 ?? s.st02]);
    }
    if (!g.omitGe) out += seg(['GE', g.ge01 ?? String(g.sets.length), g.ge02 ?? g.gs06]);
  }
  if (!x.omitIea) out += seg(['IEA', x.iea01 ?? String(x.groups.length), x.iea02 ?? x.isa13]);
  return out;
}

export interface PoLine {
  qty: string;
  uom: string;
  price: string;
  ids: Array<[string, string]>;
  description?: string;
}

/** The body of an 850: BEG, ship-to, PO1 lines, CTT. */
export function po850(po: string, lines: PoLine[], o: { shipTo?: string; cttCount?: number; date?: string } = {}): string[][] {
  return [
    ['BEG', '00', 'SA', po, '', o.date ?? '20261120'],
    ['DTM', '002', '20261201'],
    ['N1', 'ST', 'Northwind DC 7', '92', o.shipTo ?? '0007'],
    ...lines.flatMap((l, i) => [
      ['PO1', String(i + 1), l.qty, l.uom, l.price, '', ...l.ids.flat()],
      ...(l.description ? [['PID', 'F', '', '', '', l.description]] : []),
    ]),
    ['CTT', String(o.cttCount ?? lines.length)],
  ];
}

export const NW_LINES: PoLine[] = [
  {
    qty: '10',
    uom: 'EA',
    price: '12.5',
    ids: [
      ['UP', '012345000011'],
      ['BP', 'NW-1'],
    ],
    description: 'Widget',
  },
  { qty: '2', uom: 'CA', price: '99.99', ids: [['BP', 'NW-4']] },
];

export const GX_LINES: PoLine[] = [
  { qty: '5', uom: 'EA', price: '3.25', ids: [['BP', 'GX-100']] },
  {
    qty: '1',
    uom: 'BX',
    price: '40',
    ids: [
      ['BP', 'GX-200'],
      ['VP', 'SKU-00007'],
    ],
  },
];

/** A valid single-850 interchange from Northwind. */
export function northwind850(isa13: string, po: string, lines: PoLine[] = NW_LINES): string {
  return render(northwindEnvelope(isa13, [{ gs06: String(Number(isa13)), sets: [{ st02: '0001', segments: po850(po, lines) }] }]));
}

/** A valid single-850 interchange from Globex (| and newline separators). */
export function globex850(isa13: string, po: string, lines: PoLine[] = GX_LINES): string {
  return render(
    globexEnvelope(isa13, [{ gs06: String(Number(isa13)), sets: [{ st02: '0001', segments: po850(po, lines, { shipTo: 'STORE-9' }) }] }]),
  );
}

/** An EDIFACT ORDERS interchange from Northwind's stores (UNA, ' terminators, + and : separators). */
export function northwindOrders(
  controlRef: string,
  po: string,
  o: { unz01?: string; unt01?: string; qty?: string; sender?: string; type?: string } = {},
): string {
  const msg = [
    `UNH+1+${o.type ?? 'ORDERS:D:96A:UN'}'`,
    `BGM+220+${po}+9'`,
    "DTM+137:20261120:102'",
    "DTM+2:20261201:102'",
    "NAD+DP+0007::9'",
    "CUX+2:USD:9'",
    "LIN+1++012345000011:EN'",
    "IMD+F++:::Widget'",
    `QTY+21:${o.qty ?? '10'}:PCE'`,
    "PRI+AAA:12.5'",
    "LIN+2++NW-4:BP'",
    "QTY+21:2:CA'",
    "PRI+AAA:99.99'",
    "UNS+S'",
    "CNT+2:2'",
  ];
  return `UNA:+.? 'UNB+UNOC:3+${o.sender ?? '4000000000001'}:14+4000000000002:14+261120:1015+${controlRef}'${msg.join('')}UNT+${o.unt01 ?? String(msg.length + 1)}+1'UNZ+${o.unz01 ?? '1'}+${controlRef}'`;
}
