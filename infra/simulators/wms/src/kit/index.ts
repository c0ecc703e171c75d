// Shared machinery of the ODX WMS and TMS simulators: fault injection,
// Standard Webhooks delivery with retries, the admin API and the HTTP shell.
export { requireBearer } from './admin-auth.js';
export { createSimulatorApp, jsonDepthSetting, listen, type RunningServer, type SimulatorAppOptions } from './http-app.js';
/** The JSON depth cap's default, the runtime's (64). */
export { MAX_JSON_DEPTH } from '@odx/runtime/http';
export { FaultController, faultConfigSchema, type DowntimeWindow, type FaultConfig, type FaultConfigInput, type FaultCounters } from './faults.js';
export { valuesAt } from './fault-middleware.js';
export { randomId, SequenceIds } from './ids.js';
export { ApiError, fieldPath, problem, sendProblem, validationProblem, type FieldError, type Problem } from './problem.js';
export { MAX_PAGE_SIZE, pageByUpdatedAt, pagingQuery, parseListQuery, type Changeable, type Page } from './paging.js';
export { RoutePattern } from './route-pattern.js';
export { sleep, TimerSet } from './timers.js';
export {
  WebhookDispatcher,
  type DeliveryAttempt,
  type DeliveryFilter,
  type DeliveryPolicy,
  type DeliveryStatus,
  type SubscriptionInput,
  type WebhookDelivery,
  type WebhookDispatcherOptions,
  type WebhookSubscription,
} from './webhook-dispatcher.js';
export { secretKey, signWebhook, verifyWebhook, type WebhookVerification } from './webhook-signature.js';
export { startRecordingReceiver, type ReceivedWebhook, type RecordingReceiver } from './recording-receiver.js';
export { ADMIN, assertSigned, call, typesOf, type ApiAnswer } from './test-support.js';
export { MAX_JSON_DEPTH_SETTING, runSimulatorCli, settingVariable, simulatorSettings, type SimulatorCliSettings } from './cli.js';
export { eventually, postSignedWebhook, uniqueName, type Cleanup } from './bridge-test-support.js';
