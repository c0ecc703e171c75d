export { authenticate, principalOf, requireRole } from './authenticate.js';
export { ROLES, grants, isRole, strongestRole, type Role } from './roles.js';
export { TokenRejected, mintToken, primaryAudience, verifyToken, type Principal, type TokenSettings } from './tokens.js';
