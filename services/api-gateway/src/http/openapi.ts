import { createDocument, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import { idempotencyKeySchema, orderAcceptedSchema, orderRequestSchema } from '../intake/order-request.js';
import {
  availabilityQuery,
  availabilitySchema,
  createKeyBody,
  keyIdParam,
  keyViewSchema,
  listKeysQuery,
  orderRefParam,
  orderStatusSchema,
  problemSchema,
} from './schemas.js';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const common: ZodOpenApiResponsesObject = {
  '401': problem('missing, unknown, malformed or revoked credentials'),
  '403': problem('the credentials lack the scope (or role) this operation needs'),
  '429': { ...problem('rate limit of the API key reached'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
};
const partner = [{ apiKey: [] }];
const admin = [{ adminBearer: [] }];

/** The OpenAPI 3.1 document of the service, generated from the same zod schemas the routes validate with. */
export function openApiDocument(version: string): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'ODX API for shops and marketplaces',
      version,
      description:
        'Order intake with Idempotency-Key, available to promise, and order status. Partners call with an API key (X-API-Key) bound to their partner id and scopes; key administration needs an admin bearer token.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'odxk_<key id>_<secret>, issued by an ODX admin' },
        adminBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 token with role admin' },
      },
    },
    paths: {
      '/v1/orders': {
        post: {
          operationId: 'submitOrder',
          summary: 'Submit an order (scope orders:write)',
          description:
            'The same Idempotency-Key with the same body answers with the first answer (status and body); with a different body, 422. The order becomes an OrderReceived event, which ODX writes to Odoo as a sale order.',
          security: partner,
          requestParams: { header: z.object({ 'idempotency-key': idempotencyKeySchema }) },
          requestBody: { required: true, content: { 'application/json': { schema: orderRequestSchema } } },
          responses: {
            '201': json('order accepted (also the answer to every repeat of its Idempotency-Key)', orderAcceptedSchema),
            '400': problem('missing or malformed Idempotency-Key, or a body that fails validation (the fields are listed)'),
            '409': problem('the first request with this key is still being processed, or orderRef was already submitted under another key'),
            '413': problem('body larger than 1 MB'),
            '422': problem('this Idempotency-Key was used with a different body'),
            '503': problem('not accepted right now; retry with the same Idempotency-Key'),
            ...common,
          },
        },
      },
      '/v1/orders/{ref}': {
        get: {
          operationId: 'getOrder',
          summary: "Status and timeline of one of the caller's orders (scope orders:read)",
          security: partner,
          requestParams: { path: orderRefParam },
          responses: { '200': json('the order', orderStatusSchema), '404': problem('no such order of this partner'), ...common },
        },
      },
      '/v1/availability': {
        get: {
          operationId: 'getAvailability',
          summary: 'Available to promise per warehouse (scope availability:read)',
          security: partner,
          requestParams: { query: availabilityQuery },
          responses: { '200': json('availability', availabilitySchema), '404': problem('no stock level known for the SKU'), ...common },
        },
      },
      '/admin/keys': {
        post: {
          operationId: 'createApiKey',
          summary: 'Issue an API key (admin); the key is shown in this answer only',
          security: admin,
          requestBody: { required: true, content: { 'application/json': { schema: createKeyBody } } },
          responses: { '201': json('the new key', z.object({ key: z.string(), record: keyViewSchema })), ...common },
        },
        get: {
          operationId: 'listApiKeys',
          summary: 'List API keys (admin), never their secrets',
          security: admin,
          requestParams: { query: listKeysQuery },
          responses: { '200': json('keys', z.object({ keys: z.array(keyViewSchema) })), ...common },
        },
      },
      '/admin/keys/{keyId}/revoke': {
        post: {
          operationId: 'revokeApiKey',
          summary: 'Revoke an API key (admin); other instances stop accepting it within ODX_API_KEY_CACHE_MS',
          security: admin,
          requestParams: { path: keyIdParam },
          responses: { '200': json('the revoked key', keyViewSchema), '404': problem('no such key'), ...common },
        },
      },
    },
  });
}
