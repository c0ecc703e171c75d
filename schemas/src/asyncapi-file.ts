import { readFileSync } from 'node:fs';
import { generateAsyncApi } from './asyncapi.js';
import { loadCatalog, schemaRepository } from './index.js';
import { PACKAGE_JSON_FILE } from './paths.js';

/** The AsyncAPI document of this working tree's catalog and schemas, as committed in schemas/asyncapi.yaml. */
export function asyncApiDocument(): string {
  const manifest = JSON.parse(readFileSync(PACKAGE_JSON_FILE, 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${PACKAGE_JSON_FILE}: no "version"`);
  return generateAsyncApi(loadCatalog(), schemaRepository(), { version: manifest.version });
}
