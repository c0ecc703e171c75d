// Writes schemas/src/generated/types.ts from schemas/avro/**/*.avsc.
// Usage: npm run schemas:gen [-- --check]   (--check: exit 1 when the file is stale)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { generateTypes } from '../src/generate-types.js';
import { AVRO_DIR, GENERATED_TYPES_FILE } from '../src/paths.js';
import { SchemaRepository } from '../src/schema-repository.js';
import { toolArgs } from './tool-args.js';

function main(): number {
  const { values } = toolArgs('schemas:gen', 'npm run schemas:gen [-- --check]  (--check: exit 1 when the generated file is stale)', {
    options: { check: { type: 'boolean', default: false } },
  });
  const source = generateTypes(SchemaRepository.fromDirectory(AVRO_DIR));
  const current = existsSync(GENERATED_TYPES_FILE) ? readFileSync(GENERATED_TYPES_FILE, 'utf8') : undefined;
  const target = relative(process.cwd(), GENERATED_TYPES_FILE);
  if (values.check) {
    if (current === source) {
      console.log(`${target} is up to date`);
      return 0;
    }
    console.error(`${target} is out of date; run npm run schemas:gen`);
    return 1;
  }
  if (current === source) {
    console.log(`${target} is up to date`);
    return 0;
  }
  mkdirSync(dirname(GENERATED_TYPES_FILE), { recursive: true });
  writeFileSync(GENERATED_TYPES_FILE, source);
  console.log(`wrote ${target}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`schemas:gen: ${(err as Error).message}`);
  process.exitCode = 1;
}
