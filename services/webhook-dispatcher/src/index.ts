export { loadWebhookDispatcherConfig, DEFAULT_WEBHOOKS_PORT, type WebhookDispatcherConfig } from './config.js';
export { startWebhookDispatcher, type WebhookDispatcher } from './webhook-dispatcher-service.js';
export { ENDPOINTS } from './http/routes.js';
export { compileFilter, matchesFilter, valueAtPath, type SubscriptionFilter } from './subscriptions/subscription-filter.js';
export { DEFAULT_RETRY_SCHEDULE_MS, nextAttempt, parseRetrySchedule, verdictOf } from './delivery/retry-schedule.js';
export { blockedRange, checkTarget, TargetRefused } from './delivery/ssrf-guard.js';
export { generateSecret, signatureHeader, signedHeaders } from './delivery/sign.js';
export { cloudEventBody } from './delivery/cloudevent.js';
