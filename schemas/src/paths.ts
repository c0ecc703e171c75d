import { fileURLToPath } from 'node:url';

/** The `schemas/` workspace folder. */
export const SCHEMAS_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Folder of the `.avsc` sources. */
export const AVRO_DIR = fileURLToPath(new URL('../avro', import.meta.url));
/** The topic catalog. */
export const CATALOG_FILE = fileURLToPath(new URL('../catalog/topics.yaml', import.meta.url));
/** The generated TypeScript types (committed). */
export const GENERATED_TYPES_FILE = fileURLToPath(new URL('./generated/types.ts', import.meta.url));
/** The generated AsyncAPI document (committed). */
export const ASYNCAPI_FILE = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
/** The package manifest (its version is the AsyncAPI document's `info.version`). */
export const PACKAGE_JSON_FILE = fileURLToPath(new URL('../package.json', import.meta.url));
