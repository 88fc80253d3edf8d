/*
 * `npm run subscribe`: points an agent's Ringg event subscriptions at this receiver
 * (ringg-webhooks.md §4). Dry run by default. Exit codes: 0 ok, 1 Ringg API error, 2 bad options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config';
import { CALL_EVENT_TYPES, isKnownEventType, type CallEventType } from '../events/event-types';
import { createRinggApi, RinggApiError, type EventSubscription } from './ringg-api';

export interface SubscribeIo {
  out(line: string): void;
  err(line: string): void;
}

export interface SubscribeDeps {
  /** Per-request timeout; 10 s unless a test shortens it. */
  timeoutMs?: number;
}

export const USAGE = `usage: npm run subscribe -- --agent-id ID --url https://HOST/webhooks/ringg [--token T]
         [--events all_processing_completed,... | --events all] [--with-progress] [--api-url URL] [--apply]
  Dry run unless --apply. Needs RINGG_API_KEY in the environment.`;

const DEFAULT_EVENTS: readonly CallEventType[] = ['all_processing_completed'];
const PROGRESS_EVENTS: readonly CallEventType[] = ['call_started', 'call_completed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET_HEADER = /authorization|token|secret|key|signature/i;

class UsageError extends Error {}

interface Options {
  agentId: string;
  url: URL;
  token: string;
  events: CallEventType[];
  apply: boolean;
  apiUrl: string;
}

/** Our entry always uses the array form of `event_type` (current docs, since 2026-03-11). */
type OurSubscription = EventSubscription & { event_type: string[] };

export async function runSubscribe(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: SubscribeIo,
  deps: SubscribeDeps = {}
): Promise<number> {
  let config: Config;
  let options: Options | 'help';
  const warnings: string[] = [];
  try {
    config = loadConfig(env);
    options = parseOptions(argv, config, warnings);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.err(`subscribe: ${error.message}`);
      if (error instanceof UsageError) io.err(USAGE);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }
  for (const warning of warnings) io.err(`subscribe: warning: ${warning}`);

  const ours: OurSubscription = {
    event_type: options.events,
    callback_url: options.url.toString(),
    headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
    method_type: 'POST',
  };
  const apiKey = config.RINGG_API_KEY;
  if (apiKey === null) {
    if (options.apply) {
      io.err('subscribe: RINGG_API_KEY is not set; it is needed to read and edit the agent');
      return 2;
    }
    io.out("RINGG_API_KEY is not set, so the agent's current subscriptions can't be shown or merged.");
    printRequest(io, options, [ours], null);
    return 0;
  }

  const api = createRinggApi({ apiUrl: options.apiUrl, apiKey, timeoutMs: deps.timeoutMs });
  let current: EventSubscription[] | null = null;
  try {
    const agent = await api.getAgent(options.agentId);
    current = agent.eventSubscriptions;
    if (current === null) {
      io.out(`GET ${agent.path} answered without an event_subscriptions list: current subscriptions unknown.`);
    } else {
      io.out(`Current event subscriptions (GET ${agent.path}): ${current.length === 0 ? 'none' : current.length}`);
      for (const entry of current) io.out(`  ${describeEntry(entry)}`);
    }
  } catch (error) {
    if (!(error instanceof RinggApiError)) throw error;
    // The same key signs the edit, so a key problem is fatal even in a dry run.
    if (error.status === 401 || error.status === 403) {
      io.err(`subscribe: Ringg API error: ${error.message}`);
      return 1;
    }
    // Both documented GET paths may 404 (§4 gaps); anything else is transient, and applying
    // without the current list could drop other event types' subscriptions.
    if (options.apply && error.status !== 404) {
      io.err(`subscribe: Ringg API error: ${error.message}; nothing applied (the current list is needed to merge)`);
      return 1;
    }
    io.out(`Current subscriptions unknown: ${error.message}`);
  }

  let subscriptions: EventSubscription[];
  if (current === null) {
    subscriptions = [ours];
    io.out(
      "Not merged: the request carries only this receiver's entry. Ringg's docs suggest the edit replaces the whole " +
        'list, so subscriptions for other event types, if any, may be removed.'
    );
  } else {
    const merge = mergeSubscriptions(current, ours);
    subscriptions = merge.merged;
    io.out(
      `Merged by event type (Ringg's docs suggest the edit replaces the whole list): ${options.events.join(', ')} ` +
        `now go to ${ours.callback_url}; ${merge.kept} other entr${merge.kept === 1 ? 'y is' : 'ies are'} kept` +
        (merge.replaced.length > 0 ? `; replaced: ${merge.replaced.map(describeEntry).join('; ')}` : '') +
        '.'
    );
  }

  printRequest(io, options, subscriptions, apiKey);
  if (!options.apply) {
    io.out('Dry run: nothing was sent. Run again with --apply to send this request.');
    return 0;
  }
  try {
    const result = await api.editEventSubscriptions(options.agentId, subscriptions);
    io.out(
      `Applied: ${options.events.join(', ')} → ${ours.callback_url} for agent ${options.agentId}` +
        (result.message ? ` (Ringg: "${result.message}")` : '')
    );
    return 0;
  } catch (error) {
    if (!(error instanceof RinggApiError)) throw error;
    io.err(`subscribe: Ringg API error: ${error.message}`);
    return 1;
  }
}

/**
 * Our entry takes over every event type it names; other entries keep their remaining types,
 * and an entry left with none is dropped. Entries are otherwise passed back as Ringg gave them.
 */
export function mergeSubscriptions(
  current: readonly EventSubscription[],
  ours: OurSubscription
): { merged: EventSubscription[]; kept: number; replaced: EventSubscription[] } {
  const taken = new Set(ours.event_type);
  const merged: EventSubscription[] = [];
  const replaced: EventSubscription[] = [];
  for (const entry of current) {
    const types = Array.isArray(entry.event_type) ? entry.event_type : [entry.event_type];
    const remaining = types.filter((type) => !taken.has(type));
    if (remaining.length < types.length) replaced.push(entry);
    if (remaining.length === types.length) merged.push(entry);
    else if (remaining.length > 0) merged.push({ ...entry, event_type: remaining });
  }
  return { merged: [...merged, ours], kept: merged.length, replaced };
}

/** Shows enough of a secret to recognise it, e.g. `abcd…(32 chars)`. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 4)}…(${value.length} chars)` : `…(${value.length} chars)`;
}

function maskHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (!SECRET_HEADER.test(name)) return [name, value];
      const bearer = /^(Bearer|Basic|Token)\s+(.*)$/i.exec(value);
      return [name, bearer ? `${bearer[1]} ${maskSecret(bearer[2] as string)}` : maskSecret(value)];
    })
  );
}

function describeEntry(entry: EventSubscription): string {
  const types = Array.isArray(entry.event_type) ? entry.event_type.join(', ') : entry.event_type;
  const auth = maskHeaders(entry.headers)?.['Authorization'];
  return `${types} → ${entry.method_type ?? 'POST'} ${entry.callback_url}${auth ? ` (Authorization: ${auth})` : ''}`;
}

function printRequest(
  io: SubscribeIo,
  options: Options,
  subscriptions: EventSubscription[],
  apiKey: string | null
): void {
  const body = {
    operation: 'edit_event_subscriptions',
    agent_id: options.agentId,
    event_subscriptions: subscriptions.map((entry) =>
      entry.headers === undefined ? entry : { ...entry, headers: maskHeaders(entry.headers) }
    ),
  };
  io.out(options.apply ? 'Sending:' : 'Request that --apply would send:');
  io.out(`  PATCH ${options.apiUrl}/agent/v1`);
  io.out(`  X-API-KEY: ${apiKey === null ? '<RINGG_API_KEY, not set>' : `<RINGG_API_KEY, ${apiKey.length} chars>`}`);
  io.out('  Content-Type: application/json');
  for (const line of JSON.stringify(body, null, 2).split('\n')) io.out(`  ${line}`);
}

function parseOptions(argv: string[], config: Config, warnings: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'agent-id': { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        events: { type: 'string' },
        'with-progress': { type: 'boolean', default: false },
        apply: { type: 'boolean', default: false },
        'api-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid options');
  }
  if (values.help) return 'help';

  const agentId = values['agent-id']?.trim() ?? '';
  if (agentId === '') throw new UsageError('--agent-id is required (the Ringg assistant UUID)');
  // It becomes a URL path segment in the GET, so keep it to UUID characters.
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(agentId)) {
    throw new UsageError(`--agent-id must look like a UUID (got "${agentId}")`);
  }
  if (!UUID.test(agentId)) warnings.push(`--agent-id "${agentId}" is not a UUID; Ringg agent ids usually are`);

  if (values.url === undefined)
    throw new UsageError("--url is required: the public HTTPS URL of this receiver's webhook path");
  const url = httpUrl('--url', values.url);
  if (url.protocol === 'http:') {
    if (!isLocalhost(url)) {
      throw new UsageError(
        `--url must be https:// (the token travels in a header); http:// is allowed only for localhost`
      );
    }
    warnings.push(`--url ${url.toString()} is plain http on localhost: Ringg's servers can't reach it`);
  }
  if (url.pathname !== config.WEBHOOK_PATH) {
    warnings.push(`--url path ${url.pathname} is not WEBHOOK_PATH (${config.WEBHOOK_PATH})`);
  }

  const token = values.token?.trim() ?? defaultToken(config);
  if (!token) {
    throw new UsageError(
      `no token: pass --token or set WEBHOOK_TOKENS (npm start writes a generated one to ${join(config.DATA_DIR, 'webhook-token')})`
    );
  }
  // The receiver accepts only WEBHOOK_TOKENS entries, which config.ts holds to 16+ characters.
  if (token.length < 16 || /[\s,]/.test(token)) {
    throw new UsageError('--token must be at least 16 characters, without spaces or commas');
  }
  if (config.WEBHOOK_TOKENS.length > 0 && !config.WEBHOOK_TOKENS.includes(token)) {
    warnings.push('--token is not one of WEBHOOK_TOKENS here; a receiver with this environment would reject it');
  }

  const apiUrl = httpUrl('--api-url', values['api-url'] ?? config.RINGG_API_URL)
    .toString()
    .replace(/\/+$/, '');

  return {
    agentId,
    url,
    token,
    events: parseEvents(values.events, values['with-progress']),
    apply: values.apply,
    apiUrl,
  };
}

function parseEvents(raw: string | undefined, withProgress: boolean): CallEventType[] {
  const names =
    raw === undefined
      ? [...DEFAULT_EVENTS]
      : raw
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  if (names.length === 0) throw new UsageError('--events is empty');
  if (names.includes('all')) return [...CALL_EVENT_TYPES];
  const unknown = names.filter((name) => !isKnownEventType(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown event type${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `"${name}"`).join(', ')}; ` +
        `known: ${CALL_EVENT_TYPES.join(', ')} (or "all")`
    );
  }
  const wanted = new Set([...names, ...(withProgress ? PROGRESS_EVENTS : [])]);
  return CALL_EVENT_TYPES.filter((type) => wanted.has(type));
}

function defaultToken(config: Config): string | undefined {
  if (config.WEBHOOK_TOKENS[0]) return config.WEBHOOK_TOKENS[0];
  // `npm start` in embedded mode writes its generated token here (src/main.ts).
  const file = join(config.DATA_DIR, 'webhook-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

function httpUrl(name: string, raw: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(raw.trim());
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${name} must be an http(s) URL (got "${raw}")`);
  }
  return url;
}

function isLocalhost(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
