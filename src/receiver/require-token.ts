import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from './http-error';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The token from `Authorization: Bearer <t>` or `X-Webhook-Secret: <t>` (ringg-webhooks.md §6.13). */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | null {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const secret = headers['x-webhook-secret'];
  return typeof secret === 'string' && secret.trim() !== '' ? secret.trim() : null;
}

/**
 * Accepts any of the configured tokens (several, for rotation). Digests make every comparison
 * the same length, and every token is compared so timing does not reveal which one matched.
 */
export function createTokenCheck(tokens: string[]): (presented: string | null) => boolean {
  const accepted = tokens.map(digest);
  return (presented) => {
    if (presented === null) return false;
    const candidate = digest(presented);
    let match = false;
    for (const token of accepted) match = timingSafeEqual(candidate, token) || match;
    return match;
  };
}

export function requireToken(tokens: string[]): Middleware {
  const check = createTokenCheck(tokens);
  return async (ctx, next) => {
    if (!check(presentedToken(ctx.headers))) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'missing or invalid token');
    }
    await next();
  };
}
