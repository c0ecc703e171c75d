// The EDI partner's side of the demo: northwind reads what ODX sent to its
// outbound folder (855, 856, 810) and answers each functional group with a 997
// dropped into its inbound folder, as a trading partner's EDI system does.
// Demo input only: the edi-gateway parses and matches these like any 997.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FUNCTIONAL_SETS = new Set(['855', '856', '810']);

/** Answers every 855/856/810 written to `partnerDir`/outbound since `since` and not yet answered with a 997 in `partnerDir`/inbound; returns how many. */
export function acknowledgeOutbound(partnerDir: string, since: Date, answered: Set<string>, nextControl: () => number): number {
  const outbound = join(partnerDir, 'outbound');
  if (!existsSync(outbound)) return 0;
  let count = 0;
  for (const name of readdirSync(outbound).sort()) {
    const set = name.slice(0, 3);
    if (!FUNCTIONAL_SETS.has(set) || answered.has(name) || !name.endsWith('.x12')) continue;
    if (statSync(join(outbound, name)).mtime < since) continue; // an earlier run's, answered then
    const ack = build997(readFileSync(join(outbound, name), 'utf8'), nextControl());
    answered.add(name);
    if (!ack) continue;
    const file = join(partnerDir, 'inbound', `997-for-${name}`);
    writeFileSync(`${file}.part`, ack);
    renameSync(`${file}.part`, file);
    count++;
  }
  return count;
}

/** A 997 accepting the interchange's first functional group, or null when it cannot be read. */
export function build997(interchange: string, controlNumber: number, at: Date = new Date()): string | null {
  const segments = interchange
    .split('~')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => s.split('*'));
  const gs = segments.find((s) => s[0] === 'GS');
  const sts = segments.filter((s) => s[0] === 'ST');
  if (!gs || sts.length === 0) return null;
  const iso = at.toISOString();
  const yymmdd = iso.slice(2, 10).replaceAll('-', '');
  const ccyymmdd = iso.slice(0, 10).replaceAll('-', '');
  const hhmm = iso.slice(11, 16).replace(':', '');
  const isa13 = String(controlNumber % 1_000_000_000).padStart(9, '0');
  const gs06 = String(controlNumber % 1_000_000_000);
  const body = [
    'ST*997*0001',
    `AK1*${gs[1]}*${gs[6]}`,
    ...sts.flatMap((st) => [`AK2*${st[1]}*${st[2]}`, 'AK5*A']),
    `AK9*A*${sts.length}*${sts.length}*${sts.length}`,
  ];
  body.push(`SE*${body.length + 1}*0001`);
  const pad = (s: string, n: number): string => s.padEnd(n, ' ');
  return [
    `ISA*00*${pad('', 10)}*00*${pad('', 10)}*ZZ*${pad('NORTHWIND', 15)}*ZZ*${pad('ODXDIST', 15)}*${yymmdd}*${hhmm}*U*00401*${isa13}*0*P*>`,
    `GS*FA*NORTHWIND*ODXDIST*${ccyymmdd}*${hhmm}*${gs06}*X*004010`,
    ...body,
    `GE*1*${gs06}`,
    `IEA*1*${isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}
