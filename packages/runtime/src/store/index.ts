export * from './bounded-writes.js';
export * from './store-limits.js';
