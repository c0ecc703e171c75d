export { Lifecycle } from './lifecycle.js';
export type { Closeable } from './lifecycle.js';
