import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from './http-error';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Ringg payloads nest a few levels; a body nested thousands deep parses, but JSON.stringify
 * (Temporal's payload converter, the spool) then overflows the stack, which would turn a bad
 * request into a 5xx.
 */
export const MAX_JSON_DEPTH = 64;

/** Iterative, so the check itself cannot overflow the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

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
  if (nestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'body is nested too deeply', { max_depth: MAX_JSON_DEPTH });
  }
  return body as Record<string, unknown>;
}
