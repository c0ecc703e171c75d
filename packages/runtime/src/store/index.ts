export * from './bounded-writes.js';
export * from './store-limits.js';
export * from './storable-text.js';
export * from './insert-batcher.js';
