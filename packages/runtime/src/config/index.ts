export { ConfigError, envVar, parseEnv } from './load-config.js';
export { loadRuntimeConfig, runtimeEnvSchema } from './runtime-config.js';
export type { CompiledRuntimeConfig, KafkaSasl } from './runtime-config.js';
