// `npm run stack -- up | down [--wipe] | status | logs [part]`: the local
// stack launcher (Kafka, Apicurio Registry, FerretDB) described in
// infra/stack/README.md. Progress goes to stderr, results to stdout.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isPartName, loadStackConfig, PART_NAMES, selectParts, type PartName } from './config.js';
import { StackError, StackUpError } from './errors.js';
import { endpointsEnv, stackDown, stackEndpoints, stackStatus, stackUp, type PartStatus } from './index.js';
import { lastLines } from './tools.js';

const USAGE = `usage: npm run stack -- <command> [options]

commands (parts by name, e.g. "down kafka", or --parts kafka,registry):
  up [--parts kafka,registry,mongo] [--brokers 1|3] [--quiet] [--json]
        install what is missing and start the stack (idempotent); a part that
        runs but stays unhealthy past the grace is restarted, with a stack dump.
        --brokers 3: a three-node KRaft cluster (parts kafka, kafka-2, kafka-3;
        replication factor 3, min.insync.replicas 2); the size is kept with
        Kafka's data, so later commands need no flag. "kafka" names the whole
        cluster, kafka-2 and kafka-3 one node each
  heal [--parts ...] [--quiet] [--json]
        like up, with no grace: restart unhealthy parts now (a part still
        within its start timeout is left to finish starting)
  down [--wipe] [--parts ...]
        stop what "up" started; --wipe also deletes the data directories
  status [--parts ...] [--json]
        state and health of each part; exit code 0 only when all are healthy
  logs [part] [--lines N]
        last lines (default 100) of each part's log
  env
        the settings clients need, as export lines: eval "$(npm run -s stack -- env)"
        (the local Kafka's admin login included)

settings (env): ODX_HOME (~/.cache/odx), ODX_DIST_DIR ($ODX_HOME/dist),
  ODX_KAFKA_BROKERS, ODX_SCHEMA_REGISTRY_URL, ODX_MONGO_URL (use external servers),
  ODX_STACK_KAFKA_PORT (9092), ODX_STACK_KAFKA_CONTROLLER_PORT (9093),
  ODX_STACK_KAFKA_NODES (1 | 3, as --brokers), ODX_STACK_KAFKA_<n>_PORT and
  ODX_STACK_KAFKA_<n>_CONTROLLER_PORT for node n = 2, 3 (two ports further per node: 9094/9095, 9096/9097),
  ODX_STACK_REGISTRY_PORT (8081), ODX_STACK_REGISTRY_MANAGEMENT_PORT (8091),
  ODX_STACK_MONGO_PORT (27017), ODX_REGISTRY_JAVA_HOME (a JDK >= 21),
  ODX_STACK_MONGO_BACKEND (sqlite | postgresql), ODX_STACK_POSTGRES_PORT (5433),
  ODX_STACK_UNHEALTHY_GRACE_MS (60000), ODX_STACK_PROBE_TIMEOUT_MS (5000),
  ODX_STACK_WATCHDOG_INTERVAL_MS (10000), ODX_STACK_WATCHDOG_FAILURES (6),
  ODX_STACK_KAFKA_SECURITY (sasl | plaintext: SCRAM users and ACLs, or the dev switch)`;

class UsageError extends Error {}

function parseParts(value: string | undefined): PartName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const name of names) {
    if (!isPartName(name)) throw new UsageError(`unknown part "${name}"; parts are ${PART_NAMES.join(', ')}`);
  }
  return names as PartName[];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ')).join('\n');
}

function statusTable(statuses: PartStatus[]): string {
  return table([
    ['PART', 'STATE', 'PID', 'ADDRESS', 'HEALTH'],
    ...statuses.flatMap((s) => [
      [s.part, s.state, s.pid === undefined ? '-' : String(s.pid), s.address, `${s.healthy ? 'healthy' : 'unhealthy'}: ${s.detail}`],
      ...(s.backing ? [['', '', '', '', `behind it: ${s.backing}`]] : []),
    ]),
  ]);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      parts: { type: 'string' },
      wipe: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      json: { type: 'boolean', default: false },
      lines: { type: 'string', short: 'n' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  // Parts by name (`down kafka`) or by --parts; a name the launcher does not know is an error, never ignored.
  if (values.parts !== undefined && rest.length > 0) throw new UsageError('name the parts either as arguments or with --parts, not both');
  const parts = parseParts(values.parts ?? (rest.length > 0 ? rest.join(',') : undefined));
  if (values.brokers !== undefined) {
    if (command !== 'up') throw new UsageError('--brokers goes with "up" (later commands read the size the data was formatted with)');
    if (!['1', '3'].includes(values.brokers)) throw new UsageError(`--brokers must be 1 or 3, got "${values.brokers}"`);
    process.env['ODX_STACK_KAFKA_NODES'] = values.brokers;
  }

  switch (command) {
    case 'up':
    case 'heal': {
      const started = Date.now();
      const grace = command === 'heal' ? { unhealthyGraceMs: 0 } : {};
      const endpoints = await stackUp({ quiet: values.quiet, ...grace, ...(parts ? { parts } : {}) });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(endpoints)}\n`);
      } else {
        const env = endpointsEnv(endpoints);
        const what = endpoints.startedParts.length > 0 ? `started ${endpoints.startedParts.join(', ')}` : 'nothing to start';
        const healed = endpoints.healed
          .map((h) => `  restarted unhealthy ${h.part} (pid ${h.pid}: ${h.reason}); dump: ${h.dumpFile}\n`)
          .join('');
        process.stdout.write(
          `stack is up (${what}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
            healed +
            Object.entries(env)
              .map(([k, v]) => `  ${k}=${k.endsWith('_PASSWORD') ? '(hidden; npm run -s stack -- env prints it)' : v}`)
              .join('\n') +
            '\n',
        );
      }
      return 0;
    }
    case 'env': {
      const env = endpointsEnv(stackEndpoints());
      process.stdout.write(
        Object.entries(env)
          .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
          .join(''),
      );
      return 0;
    }
    case 'down': {
      await stackDown({ wipe: values.wipe, quiet: values.quiet, ...(parts ? { parts } : {}) });
      return 0;
    }
    case 'status': {
      const statuses = await stackStatus(parts ? { parts } : {});
      process.stdout.write(values.json ? `${JSON.stringify(statuses)}\n` : `${statusTable(statuses)}\n`);
      return statuses.every((s) => s.healthy) ? 0 : 1;
    }
    case 'logs': {
      const lines = values.lines === undefined ? 100 : Number(values.lines);
      if (!Number.isInteger(lines) || lines <= 0) throw new UsageError(`--lines must be a positive integer, got "${values.lines}"`);
      const config = loadStackConfig();
      const which = selectParts(config, parts);
      const { paths } = config;
      for (const part of which) {
        const file = paths.logFile(part);
        process.stdout.write(`==> ${part}: ${file} <==\n`);
        process.stdout.write(existsSync(file) ? `${lastLines(file, lines)}\n` : '(no log yet)\n');
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`stack: ${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof StackUpError) {
      process.stderr.write(`stack: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof StackError) {
      process.stderr.write(`stack: ${error.describe()}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`stack: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
