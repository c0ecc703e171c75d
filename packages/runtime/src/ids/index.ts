export { deterministicEventId } from './deterministic-id.js';
