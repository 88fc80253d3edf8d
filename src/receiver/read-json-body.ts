import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from './http-error';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the body as JSON whatever the Content-Type (Ringg does not promise one) and insists on
 * one JSON object. Oversize → 413 before the whole body is buffered.
 */
export async function readJsonObject(ctx: Context, maxBytes: number): Promise<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    bytes = await getRawBody(ctx.req, { limit: maxBytes, length: ctx.get('content-length') || undefined });
  } catch (error) {
    const status = (error as { status?: number }).status;
    const type = (error as { type?: string }).type;
    if (status === 413 || type === 'entity.too.large') {
      throw new HttpError(413, 'request body too large', { limit_bytes: maxBytes });
    }
    if (type === 'request.aborted') throw new HttpError(400, 'request aborted by the client');
    throw new HttpError(400, 'could not read the request body');
  }
  let raw: string;
  try {
    raw = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
