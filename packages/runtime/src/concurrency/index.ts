export { KeyedLock } from './keyed-lock.js';
export * from './map-limited.js';
export { SingleFlightCache } from './single-flight-cache.js';
