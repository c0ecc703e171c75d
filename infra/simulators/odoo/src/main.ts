/** CLI: `node --import tsx infra/simulators/odoo/src/main.ts [--port 8069] [--data-file path]`. */
import { parseCliArgs } from '@odx/runtime/cli';
import { loadCliOptions } from './cli-options.js';
import { startOdooSimulator } from './server.js';

const { values } = parseCliArgs('sim:odoo', 'the Odoo simulator (JSON-RPC and XML-RPC external API)', {
  options: { port: { type: 'string' }, host: { type: 'string' }, 'data-file': { type: 'string' } },
  strict: true,
});
let options: ReturnType<typeof loadCliOptions>;
try {
  options = loadCliOptions(process.env, values);
} catch (err) {
  // A bad ODOO_SIM_* setting: one line naming it, not a stack trace.
  process.stderr.write(`sim:odoo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
const sim = await startOdooSimulator(options);
console.log(JSON.stringify({ msg: 'odoo simulator listening', url: sim.url, db: sim.options.db, dataFile: sim.options.dataFile }));
const stop = (): void => void sim.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
