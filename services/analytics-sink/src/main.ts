// analytics-sink: every canonical event -> the event index in MongoDB; KPIs, order timelines and BI exports over HTTP.
import { createServiceRuntime } from '@odx/runtime';
import { loadSinkConfig } from './config.js';
import { startAnalyticsSink } from './sink-service.js';

const config = loadSinkConfig();
const rt = await createServiceRuntime({ name: 'analytics-sink' });
rt.lifecycle.installSignalHandlers();
try {
  await startAnalyticsSink(rt, config);
} catch (err) {
  rt.logger.error('cannot start the analytics sink', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
