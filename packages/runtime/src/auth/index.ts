export { accessControl, type AccessControlOptions } from './access-control.js';
export { authenticate, principalOf, requireRole, requiredRoleOf } from './authenticate.js';
export { principalRateLimit, type RateLimitOptions } from './rate-limit.js';
export { ROLES, grants, isRole, strongestRole, type Role } from './roles.js';
export { SCOPE, ScopeError, parseScopes, roleOnService } from './scopes.js';
export {
  MAX_ACTIVE_KEYS,
  SERVICE_KEYS_COLLECTION,
  ServiceKeyError,
  ServiceKeyStore,
  type CreateKeyOptions,
  type ServiceKeyRecord,
  type ServiceKeyView,
} from './service-keys.js';
export { TokenRejected, mintToken, primaryAudience, verifyToken, type Principal, type TokenSettings } from './tokens.js';
