// CLI: node --import tsx infra/simulators/wms/src/main.ts [--port 8070] [--webhook-url URL] [--speed test]
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { TEST_TIMINGS } from './options.js';
import { startWmsSimulator } from './server.js';

const { values: flags } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'admin-token': { type: 'string' },
    speed: { type: 'string' },
  },
});

const settings = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65_535).default(8070),
    webhookUrl: z.url().optional(),
    webhookSecret: z.string().min(1).optional(),
    adminToken: z.string().min(1).default('sim-admin'),
    speed: z.enum(['realtime', 'test']).default('realtime'),
  })
  .parse({
    host: flags.host ?? process.env['WMS_SIM_HOST'],
    port: flags.port ?? process.env['WMS_SIM_PORT'],
    webhookUrl: flags['webhook-url'] ?? process.env['WMS_SIM_WEBHOOK_URL'],
    webhookSecret: flags['webhook-secret'] ?? process.env['WMS_SIM_WEBHOOK_SECRET'],
    adminToken: flags['admin-token'] ?? process.env['WMS_SIM_ADMIN_TOKEN'],
    speed: flags.speed ?? process.env['WMS_SIM_SPEED'],
  });

const sim = await startWmsSimulator({ ...settings, ...(settings.speed === 'test' ? TEST_TIMINGS : {}) });
process.stdout.write(`wms simulator listening on ${sim.url} (admin token: bearer ${settings.adminToken === 'sim-admin' ? 'sim-admin' : '***'})\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
