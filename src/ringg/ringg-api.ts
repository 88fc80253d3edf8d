/*
 * A small client for the two Ringg agent endpoints the subscribe command needs
 * (ringg-webhooks.md §4). Every failure becomes a RinggApiError whose message never
 * contains the API key.
 */
import { z } from 'zod';

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_DETAIL_CHARS = 300;

/** One entry of an agent's `event_subscriptions`; `event_type` was a string before 2026-03-11, an array since. */
export const EventSubscription = z.looseObject({
  event_type: z.union([z.string(), z.array(z.string())]),
  callback_url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  method_type: z.string().optional(),
});
export type EventSubscription = z.infer<typeof EventSubscription>;

const EventSubscriptions = z.array(EventSubscription);

export interface AgentView {
  /** The agent JSON exactly as Ringg returned it. */
  agent: unknown;
  /** null when the response carries no recognisable list: the current subscriptions are unknown. */
  eventSubscriptions: EventSubscription[] | null;
  /** Which of the two documented paths answered. */
  path: string;
}

export interface EditResult {
  message: string | null;
  agentId: string | null;
}

export class RinggApiError extends Error {
  override name = 'RinggApiError';
  constructor(
    message: string,
    /** HTTP status, or null when no response arrived (network error, timeout). */
    readonly status: number | null
  ) {
    super(message);
  }
}

export interface RinggApiOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

export interface RinggApi {
  getAgent(agentId: string): Promise<AgentView>;
  /** `GET /calling/call-details` with analysis; null when Ringg does not know the call (404). */
  getCallDetails(callId: string): Promise<unknown>;
  editEventSubscriptions(agentId: string, subscriptions: EventSubscription[]): Promise<EditResult>;
}

export function createRinggApi(options: RinggApiOptions): RinggApi {
  const base = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redact = (text: string): string => (options.apiKey ? text.split(options.apiKey).join('<redacted>') : text);

  /** `label` names the request in messages without the agent id or anything secret. */
  async function send(method: 'GET' | 'PATCH', path: string, label: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          'X-API-KEY': options.apiKey,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new RinggApiError(redact(`${label}: ${describeFetchError(error, timeoutMs)}`), null);
    }
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!response.ok) {
      throw new RinggApiError(redact(`${label}: ${statusMessage(response.status, json, method)}`), response.status);
    }
    return json;
  }

  return {
    async getAgent(agentId) {
      const id = encodeURIComponent(agentId);
      // The error-handling page suggests /agent/v1/{id}; the API reference documents /agent/{id} (§4 gaps).
      const paths = ['/agent/v1/', '/agent/'];
      for (const [index, prefix] of paths.entries()) {
        const path = `${prefix}{agent_id}`;
        try {
          const json = await send('GET', `${prefix}${id}`, `GET ${path}`);
          return { agent: json, eventSubscriptions: findEventSubscriptions(json), path };
        } catch (error) {
          const isLast = index === paths.length - 1;
          if (!(error instanceof RinggApiError) || error.status !== 404 || isLast) throw error;
        }
      }
      throw new RinggApiError('GET agent: no path answered', null);
    },

    async getCallDetails(callId) {
      const query = new URLSearchParams({ id: callId, send_analysis: 'true' });
      try {
        return await send('GET', `/calling/call-details?${query.toString()}`, 'GET /calling/call-details');
      } catch (error) {
        if (error instanceof RinggApiError && error.status === 404) return null;
        throw error;
      }
    },

    async editEventSubscriptions(agentId, subscriptions) {
      const json = await send('PATCH', '/agent/v1', 'PATCH /agent/v1', {
        operation: 'edit_event_subscriptions',
        agent_id: agentId,
        event_subscriptions: subscriptions,
      });
      const record = isRecord(json) ? json : {};
      return {
        message: typeof record['message'] === 'string' ? record['message'] : null,
        agentId: typeof record['agent_id'] === 'string' ? record['agent_id'] : null,
      };
    },
  };
}

// No response schema shows event_subscriptions (§4 gaps), so look at the top level and under `data`.
function findEventSubscriptions(json: unknown): EventSubscription[] | null {
  if (!isRecord(json)) return null;
  const candidates = [json['event_subscriptions'], isRecord(json['data']) ? json['data']['event_subscriptions'] : null];
  for (const candidate of candidates) {
    const parsed = EventSubscriptions.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return null;
}

function statusMessage(status: number, json: unknown, method: 'GET' | 'PATCH'): string {
  switch (status) {
    case 400:
      return `HTTP 400 bad request: ${detailOf(json) ?? 'no detail given'}`;
    case 401:
      return 'HTTP 401 API key missing or invalid (check RINGG_API_KEY)';
    case 403:
      return 'HTTP 403 API key lacks permission for this agent or operation';
    case 404:
      return 'HTTP 404 agent not found (check --agent-id)';
    case 429:
      return 'HTTP 429 rate limited, try again later';
    case 500:
      return `HTTP 500 Ringg failed to ${method === 'PATCH' ? 'edit' : 'read'} the agent${suffix(detailOf(json))}`;
    default:
      return `HTTP ${status} unexpected answer${suffix(detailOf(json))}`;
  }
}

const suffix = (detail: string | null): string => (detail ? ` (${detail})` : '');

// Edit Assistant errors are `{"detail": "<reason>"}`; FastAPI-style validation errors put a list there.
function detailOf(json: unknown): string | null {
  if (!isRecord(json) || json['detail'] === undefined || json['detail'] === null) return null;
  const detail = json['detail'];
  let text: string;
  if (typeof detail === 'string') text = detail;
  else if (Array.isArray(detail))
    text = detail
      .map((item) => (isRecord(item) && typeof item['msg'] === 'string' ? item['msg'] : JSON.stringify(item)))
      .join('; ');
  else text = JSON.stringify(detail);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}

// fetch wraps network failures as "fetch failed" with the useful reason (ECONNREFUSED…) in `cause`.
// Duck-typed: the timeout is a DOMException, which is not `instanceof Error` across realms (jest's vm).
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (!isErrorLike(error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return `could not reach Ringg (${isErrorLike(error.cause) ? error.cause.message : error.message})`;
}

function isErrorLike(value: unknown): value is { name: string; message: string; cause?: unknown } {
  return isRecord(value) && typeof value['name'] === 'string' && typeof value['message'] === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
