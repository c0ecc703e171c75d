// The restart soak's summary: one table row per run, details under it, the
// verdict of each run (what makes the soak exit non-zero) and the machine.
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { readFileSync } from 'node:fs';
import { stageLine } from '../demo/report.js';
import type { SoakRunResult } from './soak-run.js';

/** Why a run failed the soak; empty when it passed. */
export function verdict(r: SoakRunResult): string[] {
  const out: string[] = [];
  if (r.startFailure) return [`npm start did not come up: ${r.startFailure.message}`];
  const demo = r.demo.cohort;
  if (!demo) out.push("the sink did not answer the demo orders' KPIs");
  else if (demo.paid < r.demo.expected || demo.total < r.demo.expected)
    out.push(`demo orders paid ${demo.paid}/${r.demo.expected} (sink counts ${demo.total})`);
  const load = r.load.cohort;
  if (r.load.generatorFailure) out.push(`load generator failed: ${r.load.generatorFailure}`);
  if (r.load.generatorErrors > 0) out.push(`load generator: ${r.load.generatorErrors} order(s) failed in Odoo`);
  if (!load) out.push("the sink did not answer the load orders' KPIs");
  else if (load.paid < r.load.requested || load.total !== r.load.confirmed)
    out.push(`load orders paid ${load.paid}/${r.load.requested} (confirmed ${r.load.confirmed}, sink counts ${load.total})`);
  const notReady = r.readiness.filter((x) => x.status !== 200);
  if (r.readiness.length === 0) out.push('/readyz not checked');
  for (const x of notReady) out.push(`${x.service} /readyz ${x.status ?? 'no answer'}: ${x.problems.join('; ')}`);
  if (!r.store?.ok) out.push(`store round trip failed: ${r.store?.error ?? 'not run'}`);
  if (r.launcherExit) out.push(`npm start ${r.launcherExit} during the run`);
  return out;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const pad = (s: string, n: number): string => s.padEnd(n);

export function formatTable(results: readonly SoakRunResult[]): string[] {
  const head = [
    'run',
    'demo paid',
    'load paid',
    'readyz 200',
    'store rt',
    'rebalances',
    'crashes',
    'peak RSS (sum)',
    'startup',
    'all paid',
    'wall',
    'verdict',
  ];
  const rows = results.map((r) => {
    const rebalances = r.groups ? [...r.groups.rebalances.values()].reduce((a, b) => a + b, 0) : null;
    const crashes = r.groups ? [...r.groups.crashes.values()].reduce((a, b) => a + b.total, 0) : null;
    return [
      String(r.run),
      r.demo.cohort ? `${r.demo.cohort.paid}/${r.demo.expected}` : r.startFailure ? '-' : '?',
      r.load.cohort ? `${r.load.cohort.paid}/${r.load.requested}` : r.startFailure ? '-' : '?',
      r.readiness.length ? `${r.readiness.filter((x) => x.status === 200).length}/${r.readiness.length}` : '-',
      r.store ? (r.store.ok ? `${r.store.ms!.toFixed(1)} ms` : 'NO ANSWER') : '-',
      rebalances === null ? '-' : String(rebalances),
      crashes === null ? '-' : String(crashes),
      r.memory ? mib(r.memory.peakTotalKiB) : '-',
      r.startupSeconds === null ? '-' : `${r.startupSeconds.toFixed(0)} s`,
      r.load.allPaidAfterSeconds === null ? '-' : `${r.load.allPaidAfterSeconds.toFixed(0)} s`,
      `${r.wallSeconds.toFixed(0)} s`,
      verdict(r).length === 0 ? 'ok' : 'FAILED',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => pad(c, widths[i]!)).join('  ')}`.trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push(
    '',
    "  store rt: insertOne + findOne by _id on a scratch collection; all paid: from the load's start until the sink counted every load order paid;",
  );
  out.push(
    "  wall: from spawning npm start until its process group was gone and its ports free; peak RSS: highest sampled sum over the run's processes",
  );
  for (const r of results) out.push('', ...formatRun(r));
  return out;
}

/** What one run left behind: the demo's report, orders by stage, unpaid orders, readiness, store, consumer groups, memory, verdict. */
export function formatRun(r: SoakRunResult): string[] {
  const out: string[] = [];
  out.push(`run ${r.run}  (log ${r.logFile})`);
  if (r.startFailure) {
    out.push(
      `  npm start failed: ${r.startFailure.message}`,
      '  last lines of its output:',
      ...r.startFailure.logTail.split('\n').map((l) => `    ${l}`),
    );
  } else {
    out.push(
      `  demo report     ${r.demo.reportLines.join('  |  ') || '-'}${r.demo.scenarioCompleted ? '' : '  (the scenario said not every order was paid in time)'}`,
    );
    out.push(
      `  demo orders     ${r.demo.cohort ? `${r.demo.cohort.total} in the sink: ${stageLine(r.demo.cohort.byStage)}` : 'sink did not answer'}`,
    );
    out.push(
      `  load orders     ${r.load.confirmed}/${r.load.requested} confirmed in Odoo, ${r.load.settledInOdoo} invoiced and paid by the clerk; sink: ${r.load.cohort ? `${r.load.cohort.total} orders: ${stageLine(r.load.cohort.byStage)}` : 'did not answer'}${r.load.timedOut ? '  (timed out)' : ''}`,
    );
    if (r.load.generatorErrors > 0 || r.load.generatorFailure)
      out.push(
        `  load generator  ${r.load.generatorErrors} errors${r.load.generatorFailure ? `; failed: ${r.load.generatorFailure}` : ''}`,
      );
    for (const f of r.load.clerkFailures.slice(0, 10)) out.push(`  clerk gave up   order ${f.orderId}: ${f.error}`);
    if (r.unpaid.length > 0) {
      const byStage = new Map<string, typeof r.unpaid>();
      for (const u of r.unpaid) byStage.set(u.stage, [...(byStage.get(u.stage) ?? []), u]);
      out.push(`  unpaid (sink stage: Odoo order ids, picking states, clerk)`);
      for (const [stage, list] of byStage) {
        out.push(
          `    ${stage} (${list.length}): ${list
            .slice(0, 12)
            .map((u) => `${u.orderId} [${u.pickings.join(',') || 'no picking'}; ${u.clerk}]`)
            .join(', ')}${list.length > 12 ? ', ...' : ''}`,
        );
      }
    }
    out.push(
      `  readyz          ${r.readiness.map((x) => `${x.service} ${x.status ?? 'no answer'}${x.problems.length ? ` (${x.problems.join('; ')})` : ''}`).join(', ')}`,
    );
    out.push(`  store           ${r.store?.ok ? `answered in ${r.store.ms!.toFixed(1)} ms` : `did not answer: ${r.store?.error}`}`);
    if (r.groups) {
      out.push(
        `  rebalances      ${
          [...r.groups.rebalances]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([g, n]) => `${g} ${n}`)
            .join(', ') || 'none seen'
        }`,
      );
      const crashed = [...r.groups.crashes].filter(([, c]) => c.total > 0);
      out.push(
        `  crashes         ${crashed.length ? crashed.map(([g, c]) => `${g} ${c.total}${c.gone ? ` (${c.gone} not restarted)` : ''}`).join(', ') : '0'}`,
      );
      out.push(`  consumer lag    ${r.lag.map((g) => `${g.group} ${g.total}`).join(', ') || '-'}`);
      if (r.groups.unreadable.length)
        out.push(`  /metrics        unreadable: ${r.groups.unreadable.map((u) => `${u.service}: ${u.error}`).join(', ')}`);
    }
    if (r.memory?.largest)
      out.push(
        `  memory          peak sum ${mib(r.memory.peakTotalKiB)}; largest process ${r.memory.largest.name} ${mib(r.memory.largest.peakRssKiB)} (VmHWM)`,
      );
    if (r.launcherExit) out.push(`  npm start       ${r.launcherExit} during the run`);
  }
  const v = verdict(r);
  out.push(`  verdict         ${v.length === 0 ? 'ok' : v.join('; ')}`);
  return out;
}

/** CPU count and model, memory, OS, node, and the load average (the machine may be shared). */
export function machineLine(): string {
  const cpu = cpus();
  let os = `${osType()} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty}, ${os}`;
  } catch {
    // not Linux
  }
  const [l1, l5, l15] = loadavg();
  return `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${os}, node ${process.version}; load average ${l1!.toFixed(2)} ${l5!.toFixed(2)} ${l15!.toFixed(2)}`;
}
