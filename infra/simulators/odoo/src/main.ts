/** CLI: `node --import tsx infra/simulators/odoo/src/main.ts [--port 8069] [--data-file path]`. */
import { parseCliArgs } from '@odx/runtime/cli';
import { loadCliOptions } from './cli-options.js';
import { startOdooSimulator } from './server.js';

const { values } = parseCliArgs('sim:odoo', 'the Odoo simulator (JSON-RPC and XML-RPC external API)', {
  options: { port: { type: 'string' }, host: { type: 'string' }, 'data-file': { type: 'string' } },
  strict: true,
});
const sim = await startOdooSimulator(loadCliOptions(process.env, values));
console.log(JSON.stringify({ msg: 'odoo simulator listening', url: sim.url, db: sim.options.db, dataFile: sim.options.dataFile }));
const stop = (): void => void sim.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
