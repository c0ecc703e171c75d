import { z } from 'zod';

/** A configuration problem, naming every offending environment variable. */
export class ConfigError extends Error {
  readonly kind = 'permanent' as const;
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a zod object schema whose keys are environment variable
 * names, and returns the parsed (fully defaulted) values. Errors name the variable.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // Empty strings count as unset: `FOO= npm start` should mean "use the default".
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(env)'),
        message:
          issue.code === 'invalid_type' && cleaned[String(issue.path[0])] === undefined
            ? 'is required but not set'
            : `${issue.message} (got "${cleaned[String(issue.path[0])] ?? ''}")`,
      })),
    );
  }
  return result.data;
}

/** zod helpers for the shapes environment variables take. */
export const envVar = {
  /** Comma-separated list, trimmed, empties dropped. */
  list: () =>
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0),
      )
      .pipe(z.array(z.string()).min(1, 'must name at least one value')),
  port: () => z.coerce.number().int().min(0).max(65535),
  positiveInt: () => z.coerce.number().int().positive(),
  nonNegativeInt: () => z.coerce.number().int().min(0),
  bool: () =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.url({ message: 'must be a URL' }),
};
