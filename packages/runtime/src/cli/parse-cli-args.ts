import { parseArgs, type ParseArgsConfig } from 'node:util';

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * node:util `parseArgs` for the repo's scripts and simulators, with the two
 * answers every command line owes: `--help` (or `-h`) prints the usage (made
 * from the options and their defaults) and exits 0; an unknown flag or a bad
 * value prints one line naming it and exits 2, instead of a stack trace.
 * `argv` defaults to the process's arguments.
 */
export function parseCliArgs<T extends ParseArgsConfig>(
  command: string,
  summary: string,
  config: T,
  argv = process.argv.slice(2),
): Parsed<T> {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(cliUsage(command, summary, config));
    process.exit(0);
  }
  try {
    return parseArgs<T>({ ...config, args: argv });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    // node's message continues with advice about `--`; the first sentence names the problem.
    const first = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    process.stderr.write(`${command}: ${first}; see ${command} --help\n`);
    process.exit(2);
  }
}

/** The usage text parseCliArgs prints for --help. */
export function cliUsage(command: string, summary: string, config: ParseArgsConfig): string {
  const lines = Object.entries(config.options ?? {}).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' <value>' : ''}`;
    const fallback = o.default === undefined ? '' : ` (default: ${Array.isArray(o.default) ? o.default.join(',') : String(o.default)})`;
    return `  ${flag}${fallback}`;
  });
  lines.push('  -h, --help');
  return `usage: ${command}${config.allowPositionals ? ' [arguments]' : ''} [options]\n\n${summary}\n\noptions:\n${lines.join('\n')}\n`;
}
