export { createHttpApp, toProblem } from './http-app.js';
export type { HttpApp, HttpAppOptions, RawBodyRequest } from './http-app.js';
export { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
export { kafkaReadiness, mongoReadiness, registryReadiness, runReadiness } from './readiness.js';
export type { ReadinessCheck, ReadinessReport } from './readiness.js';
export { mountStandardWebhook, verifyStandardWebhook, webhookKey } from './standard-webhooks.js';
export type { SignatureCheck, StandardWebhookDelivery } from './standard-webhooks.js';
export { RestClient } from './rest-client.js';
export type { RemoteProblem, RestClientOptions } from './rest-client.js';
