// ESLint flat config for the whole repository (`npm run lint`, issue 18).
//
// Scope: the TypeScript in services/, packages/, schemas/, scripts/ and tests/.
// Formatting belongs to Prettier (prettier.config.js); eslint-config-prettier
// switches off every rule that would disagree with it.
//
// Type-aware linting (typescript-eslint's *TypeChecked configs) is not used:
// it builds a TypeScript program for the files and took 33 s for ESLint alone
// on the 2-core machine (5 s without), too slow for a lint that runs with every
// `npm test`; `tsc --noEmit` in `npm test` already does the type checking.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The folders `npm run lint` covers (scripts/lint.ts passes the same ones to ESLint and Prettier). */
const LINTED = ['services', 'packages', 'schemas', 'scripts', 'tests'];
const tsFiles = LINTED.map((dir) => `${dir}/**/*.ts`);

/** Code that only runs in development (tests, tools, benchmarks): it may use devDependencies. */
const devOnly = ['**/test/**', 'tests/**', 'scripts/**', 'schemas/tools/**', '**/*.test.ts'];

/** A field called `o` says nothing about what it holds (issue 18: `this.o` is being renamed). */
const noFieldNamedO = [
  {
    selector: "MemberExpression[object.type='ThisExpression'][property.name='o']",
    message: 'Name the field for what it holds (options, config, deps, ...) instead of `this.o`.',
  },
  {
    selector: "PropertyDefinition[key.name='o'], TSParameterProperty[parameter.name='o'], TSParameterProperty[parameter.left.name='o']",
    message: 'Name the field for what it holds (options, config, deps, ...) instead of `o`.',
  },
];

/** Casts that hide a wrong event type from the compiler (services only). */
const noEventCasts = [
  {
    selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
    message:
      'Do not cast through unknown (`x as unknown as T`). Narrow on `eventType` over the EventPayloads map, build events with outgoingEvent(), and read payloads in tests with payloadOf(); for anything else, validate or type the value where it enters.',
  },
  {
    selector:
      "TSAsExpression[expression.type='MemberExpression'][expression.property.name='payload'], TSAsExpression:matches([expression.type='TSNonNullExpression'], [expression.type='ChainExpression'])[expression.expression.property.name='payload']",
    message:
      'Do not cast an event payload (`e.payload as T`). Narrow on `e.eventType` so the payload is typed, build outgoing events with outgoingEvent(), and use payloadOf() in tests.',
  },
];

export default defineConfig(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.scratch/**', '**/coverage/**', 'schemas/src/generated/**'],
  },
  {
    files: tsFiles,
    // ESLint's and typescript-eslint's recommended sets (typescript-eslint's quick start);
    // the latter also switches off the core rules that TypeScript itself checks.
    extends: [js.configs.recommended, tseslint.configs.recommended, comments.recommended],
    plugins: { 'import-x': importX },
    settings: {
      // unrs-resolver understands package.json "exports" (our workspaces export ./src/*.ts).
      'import-x/resolver-next': [createNodeResolver()],
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // House rule: no `any` unless an eslint-disable comment says why.
      '@typescript-eslint/no-explicit-any': 'error',
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
      // A leading underscore marks a binding that must exist but is not used (Express's 4-argument error handler, rest omission).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],

      // Each workspace's package.json declares what its files import (type imports
      // included: tsc needs them), so a service still builds when it is installed alone.
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: devOnly, includeInternal: true, includeTypes: true }],

      'no-restricted-syntax': ['error', ...noFieldNamedO],
      // A test registers `t.after(() => x?.stop())` before `x = await start()`: that `let` cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Only the runtime talks to the Kafka client; services see ODX-owned types.
    files: tsFiles,
    ignores: ['packages/runtime/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['kafkajs', 'kafkajs/*'],
              message: 'Only @odx/runtime imports the Kafka client: use the ODX types and helpers that @odx/runtime exports.',
            },
          ],
        },
      ],
    },
  },
  {
    // Events are typed end to end in services: no casts of payloads or through unknown.
    // (Flat config replaces a rule's options, so the `o` selectors are repeated here.)
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...noFieldNamedO, ...noEventCasts],
    },
  },
  prettier,
);
