// A purchase order (X12 850, version 004010) as partner "northwind"
// (infra/partners/northwind.yaml) sends it: its ISA/GS ids, `*` `~` `>`
// separators, UPCs that the profile maps to our SKUs, and ship-to DC 0007.
// Demo input only: the edi-gateway parses it with node-x12 like any partner file.

/** UPCs and partner item numbers the northwind profile maps to Odoo products. */
const ITEMS: Array<[qualifier: string, id: string, price: string]> = [
  ['UP', '012345000011', '12.50'],
  ['UP', '012345000028', '8.75'],
  ['UP', '012345000035', '23.10'],
  ['BP', 'NW-4', '4.20'],
];

export function build850(options: { po: string; controlNumber: number; lines: number; at?: Date }): string {
  const at = options.at ?? new Date();
  const iso = at.toISOString();
  const yymmdd = iso.slice(2, 10).replaceAll('-', '');
  const ccyymmdd = iso.slice(0, 10).replaceAll('-', '');
  const hhmm = iso.slice(11, 16).replace(':', '');
  const isa13 = String(options.controlNumber % 1_000_000_000).padStart(9, '0');
  const gs06 = String(options.controlNumber % 1_000_000_000);
  const pad = (s: string, n: number): string => s.padEnd(n, ' ');
  const body: string[] = ['ST*850*0001', `BEG*00*SA*${options.po}**${ccyymmdd}`, 'N1*ST*Northwind DC 7*92*0007'];
  for (let i = 0; i < options.lines; i++) {
    const [qualifier, id, price] = ITEMS[i % ITEMS.length]!;
    body.push(`PO1*${i + 1}*${2 + i * 3}*EA*${price}**${qualifier}*${id}`);
  }
  body.push(`CTT*${options.lines}`);
  body.push(`SE*${body.length + 1}*0001`);
  return [
    `ISA*00*${pad('', 10)}*00*${pad('', 10)}*ZZ*${pad('NORTHWIND', 15)}*ZZ*${pad('ODXDIST', 15)}*${yymmdd}*${hhmm}*U*00401*${isa13}*0*P*>`,
    `GS*PO*NORTHWIND*ODXDIST*${ccyymmdd}*${hhmm}*${gs06}*X*004010`,
    ...body,
    `GE*1*${gs06}`,
    `IEA*1*${isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}
