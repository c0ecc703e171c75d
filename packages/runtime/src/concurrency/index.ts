export { KeyedLock } from './keyed-lock.js';
export * from './map-limited.js';
