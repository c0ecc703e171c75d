import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ROLES, mintDevToken, parseDuration, type Role } from '../dev-token.js';
import { UsageError } from '../exit-codes.js';

/** `odx token`: mints a development bearer token with the service's shared secret. */
export function registerToken(program: Command, ctx: CommandContext): void {
  program
    .command('token')
    .description('mint a bearer token for replay-dlq (development: signs with ODX_REPLAY_JWT_SECRET)')
    .addOption(new Option('--role <role>', 'role the token carries').choices(ROLES).default('viewer'))
    .option('--subject <name>', 'who the token names (shows up in the audit log)', ctx.io.env['USER'] ?? 'odx-cli')
    .option('--ttl <duration>', 'lifetime: seconds or 15m, 8h, 7d', '8h')
    .option('--audience <aud>', 'audience: odx-replay-dlq (env ODX_REPLAY_JWT_AUDIENCE), or odx for every other service')
    .action((o: { role: Role; subject: string; ttl: string; audience?: string }, cmd: Command) => {
      const secret = ctx.io.env['ODX_REPLAY_JWT_SECRET'];
      if (!secret || secret.length < 32)
        throw new UsageError('ODX_REPLAY_JWT_SECRET must be set (at least 32 characters, the same value the service uses)');
      let ttlSeconds: number;
      try {
        ttlSeconds = parseDuration(o.ttl);
      } catch (err) {
        throw new UsageError(`--ttl: ${(err as Error).message}`);
      }
      if (o.subject.length === 0 || o.subject.length > 200) throw new UsageError('--subject must be 1-200 characters');
      const token = mintDevToken({
        secret,
        subject: o.subject,
        role: o.role,
        ttlSeconds,
        issuer: ctx.io.env['ODX_REPLAY_JWT_ISSUER'] || 'odx',
        audience: o.audience || ctx.io.env['ODX_REPLAY_JWT_AUDIENCE'] || 'odx-replay-dlq',
      });
      ctx.print(
        cmd,
        { token, subject: o.subject, role: o.role, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() },
        () => token,
      );
    });
}
