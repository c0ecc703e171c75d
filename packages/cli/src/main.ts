// The `odx` command line (see packages/cli/README.md).
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));
