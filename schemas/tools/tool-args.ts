// The schemas tools' command lines: --help prints `usage`, an unknown flag one line (exit 2).
// The same answers as @odx/runtime's parseCliArgs, kept here because the runtime depends on
// @odx/schemas and not the other way round.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function toolArgs<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs<T>({ ...config, args: argv });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    process.stderr.write(`${command}: ${(err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '')}; usage: ${usage}\n`);
    process.exit(2);
  }
}
