// CLI: node --import tsx infra/simulators/wms/src/main.ts [--port 8070] [--webhook-url URL] [--speed test]
import { runSimulatorCli } from './kit/cli.js';
import { TEST_TIMINGS } from './options.js';
import { startWmsSimulator } from './server.js';

await runSimulatorCli({
  name: 'wms', envPrefix: 'WMS_SIM', defaultPort: 8070,
  start: (s) => startWmsSimulator({ ...s, ...(s.speed === 'test' ? TEST_TIMINGS : {}) }),
});
