export { KeyedLock } from './keyed-lock.js';
