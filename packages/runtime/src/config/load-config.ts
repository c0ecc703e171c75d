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
 * names, and returns the parsed (fully defaulted) values. Errors name the variable
 * and what it must be, never the value given.
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
            : // Never the value: it may be a secret (a too-short one would land in the logs).
              issue.message,
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
  /**
   * A Standard Webhooks secret: `whsec_` + base64 of at least 24 bytes (the HMAC key), or any other
   * string of at least 8 characters, used as its UTF-8 bytes.
   */
  webhookSecret: () =>
    z.string().superRefine((value, ctx) => {
      if (!value.startsWith('whsec_')) {
        if (value.length < 8) ctx.addIssue({ code: 'custom', message: 'must be whsec_ + base64, or at least 8 characters' });
        return;
      }
      const encoded = value.slice('whsec_'.length);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
        ctx.addIssue({ code: 'custom', message: 'the part after whsec_ must be base64' });
        return;
      }
      const bytes = Buffer.from(encoded, 'base64').length;
      if (bytes < WEBHOOK_KEY_MIN_BYTES)
        ctx.addIssue({
          code: 'custom',
          message: `the part after whsec_ must decode to at least ${WEBHOOK_KEY_MIN_BYTES} bytes (it decodes to ${bytes})`,
        });
    }),
};

/** The shortest HMAC key a `whsec_` secret may carry (Standard Webhooks generates 24 to 64 bytes). */
export const WEBHOOK_KEY_MIN_BYTES = 24;
