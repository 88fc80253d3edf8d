import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from './http-error';

/**
 * First in the chain (Koa's error-handling guide): every error becomes a JSON body
 * `{"error": …}`; unexpected ones become a bare 500 and are logged, never shown.
 */
export function errorResponse(log: Logger, onReject: (status: number) => void = () => undefined): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not found' };
      } else if (ctx.status === 405 && (ctx.body === undefined || typeof ctx.body === 'string')) {
        ctx.body = { error: 'method not allowed', allow: ctx.response.get('Allow') };
      }
    } catch (error) {
      if (error instanceof HttpError) {
        onReject(error.status);
        ctx.status = error.status;
        ctx.body = { error: error.message, ...error.details };
        return;
      }
      log.error({ err: error, path: ctx.path, method: ctx.method }, 'unhandled receiver error');
      onReject(500);
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  };
}
