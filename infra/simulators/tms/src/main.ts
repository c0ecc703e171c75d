// CLI: node --import tsx infra/simulators/tms/src/main.ts [--port 8071] [--webhook-url URL] [--speed test]
import { runSimulatorCli } from '@odx/sim-wms/kit';
import { TEST_TIMINGS } from './options.js';
import { startTmsSimulator } from './server.js';

await runSimulatorCli({
  name: 'tms', envPrefix: 'TMS_SIM', defaultPort: 8071,
  start: (s) => startTmsSimulator({ ...s, ...(s.speed === 'test' ? TEST_TIMINGS : {}) }),
});
