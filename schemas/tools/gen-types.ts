// Writes schemas/src/generated/types.ts from schemas/avro/**/*.avsc.
// Usage: npm run schemas:gen [-- --check]   (--check: exit 1 when the file is stale)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { generateTypes } from '../src/generate-types.js';
import { AVRO_DIR, GENERATED_TYPES_FILE } from '../src/paths.js';
import { SchemaRepository } from '../src/schema-repository.js';

function main(): number {
  const source = generateTypes(SchemaRepository.fromDirectory(AVRO_DIR));
  const current = existsSync(GENERATED_TYPES_FILE) ? readFileSync(GENERATED_TYPES_FILE, 'utf8') : undefined;
  const target = relative(process.cwd(), GENERATED_TYPES_FILE);
  if (process.argv.includes('--check')) {
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
