import { CALL_EVENT_TYPES } from '../../src/events/event-types';
import { gzipSync } from 'node:zlib';
import { createRng, type Rng } from '../../src/simulate/prng';

/**
 * A seeded corpus of requests the receiver MUST reject: none of them carries both a valid token
 * and a routable envelope that the receiver can take (valid call_id + event_type). Hostile but
 * valid envelopes (`__proto__` keys, huge strings within the limit) are tested apart, because
 * the product rightly accepts them.
 */
export interface HostileRequest {
  id: number;
  category: string;
  /** `http`: sent with node:http; `raw`: the bytes go on a socket as they are (bad request lines, bad header bytes). */
  transport: 'http' | 'raw';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Declare this Content-Length but send only `body` and wait for the answer (oversize announced up front). */
  declaredLength?: number;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  /** For `raw`: the whole request, bytes as they go on the wire. */
  raw?: Buffer;
  /** The statuses that are right for this request (all 4xx). */
  expect: number[];
}

export interface CorpusOptions {
  seed: string;
  token: string;
  otherToken: string;
  webhookPath: string;
  maxBodyBytes: number;
}

/** Category → how many requests of it. Sums to 11 050. */
export const CATEGORY_COUNTS = {
  'missing-token': 900,
  'wrong-token-bearer': 1200,
  'wrong-token-secret': 600,
  'token-elsewhere': 400,
  'malformed-json': 1200,
  'truncated-json': 1200,
  'not-an-object': 600,
  'invalid-utf8': 800,
  'deep-nesting': 300,
  'wrong-types': 1200,
  'proto-keys-no-envelope': 600,
  'huge-strings': 150,
  oversize: 300,
  'wrong-method': 400,
  'wrong-path': 400,
  'bad-content-length': 400,
  'raw-protocol': 400,
} as const;

export type HostileCategory = keyof typeof CATEGORY_COUNTS;

const EVENT_TYPES = CALL_EVENT_TYPES;

/** A plausible event: valid envelope, so only the token (or a later mutation) makes it bad. */
function envelope(rng: Rng): Record<string, unknown> {
  return {
    call_id: rng.uuid(),
    event_type: rng.pick(EVENT_TYPES),
    status: rng.pick(['registered', 'ongoing', 'completed', 'failed']),
    agent_id: rng.uuid(),
    transcript: [{ role: 'agent', text: `hello ${rng.hex(8)}` }],
  };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function randomBytes(rng: Rng, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(0, 255);
  return out;
}

function printable(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(rng.int(0x21, 0x7e));
  return out;
}

/** A wrong token: random, or a near miss of a real one (one char off, prefix, suffix, case). */
function wrongToken(rng: Rng, options: CorpusOptions): string {
  const real = rng.pick([options.token, options.otherToken]);
  const position = rng.int(1, real.length - 1);
  const flipped = real[position] === 'a' ? 'b' : 'a';
  const candidates = [
    printable(rng, rng.int(1, 80)),
    real.slice(0, position) + flipped + real.slice(position + 1),
    real.slice(0, rng.int(1, real.length - 1)),
    real + printable(rng, rng.int(1, 4)),
    real.toUpperCase(),
    `${real.slice(0, position)} ${real.slice(position)}`,
    `${options.token},${options.otherToken}`,
    `"${real}"`,
    'x'.repeat(rng.int(1, 4000)),
  ];
  // The receiver trims what it is given: a candidate that trims to a real token is not wrong.
  const valid = new Set([options.token, options.otherToken]);
  return rng.pick(candidates.filter((candidate) => !valid.has(candidate.trim())));
}

function authHeader(options: CorpusOptions): Record<string, string> {
  return { authorization: `Bearer ${options.token}` };
}

function mutateSyntax(rng: Rng, text: string): string {
  const at = rng.int(0, Math.max(0, text.length - 1));
  const junk = rng.pick(['{', '}', '[', ']', ',', ':', '"', "'", '\\', 'NaN', 'undefined', '//', '/*', '\u0000', ',,']);
  switch (rng.int(0, 3)) {
    case 0:
      return text.slice(0, at) + junk + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return `${text}${junk}`;
    default:
      return junk + text;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function malformed(rng: Rng): { body: Buffer; contentType?: string; encoding?: string } {
  const source = JSON.stringify(envelope(rng));
  switch (rng.int(0, 9)) {
    case 0:
      return { body: randomBytes(rng, rng.int(1, 2000)) };
    case 1:
      return { body: Buffer.from(`{'call_id': '${rng.uuid()}', 'event_type': 'call_started'}`) };
    case 2:
      return { body: Buffer.from(`{"call_id": "${rng.uuid()}", "event_type": "call_started",}`) };
    case 3:
      return { body: Buffer.from(`{call_id: "${rng.uuid()}", event_type: "call_started"}`) };
    case 4:
      return {
        body: Buffer.from(`call_id=${rng.uuid()}&event_type=call_started`),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 5:
      return {
        body: Buffer.from(`--b\r\nContent-Disposition: form-data; name="call_id"\r\n\r\n${rng.uuid()}\r\n--b--\r\n`),
        contentType: 'multipart/form-data; boundary=b',
      };
    case 6:
      // Compressed bytes are not decoded: they are not UTF-8 JSON.
      return { body: gzipSync(source), contentType: 'application/json', encoding: 'gzip' };
    case 7:
      return { body: Buffer.from(`${source}\n${source}`) };
    case 8:
      return { body: Buffer.from(`<xml><call_id>${rng.uuid()}</call_id></xml>`), contentType: 'application/xml' };
    default: {
      // Keep mutating until it is no longer JSON (a mutation can, rarely, keep it valid).
      let text = mutateSyntax(rng, source);
      for (let tries = 0; isJson(text) && tries < 10; tries++) text = mutateSyntax(rng, text);
      return { body: Buffer.from(isJson(text) ? `${text}}` : text) };
    }
  }
}

const NOT_OBJECTS = [
  '',
  ' ',
  '\n\t ',
  'null',
  'true',
  'false',
  '0',
  '-1.5e308',
  '1e999',
  '"call_started"',
  '[]',
  '[{"call_id":"a","event_type":"call_started"}]',
  '[[],{}]',
];

function notAnObject(rng: Rng): string {
  if (rng.chance(0.5)) return rng.pick(NOT_OBJECTS);
  return JSON.stringify(rng.pick([rng.hex(rng.int(1, 300)), rng.int(-1e9, 1e9), [envelope(rng)], [rng.uuid()]]));
}

const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc3],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf0, 0x9f, 0x98],
  [0x80],
  [0xbf, 0xbf],
];

function invalidUtf8(rng: Rng): Buffer {
  const text = Buffer.from(JSON.stringify(envelope(rng)));
  // Inside the call_id string, or anywhere: either way the body is not UTF-8.
  const inside = text.indexOf('"call_id":"') + 11;
  const at = rng.chance(0.6) ? inside + rng.int(0, 30) : rng.int(0, text.length);
  return Buffer.concat([text.subarray(0, at), Buffer.from(rng.pick(BAD_UTF8)), text.subarray(at)]);
}

function deepNesting(rng: Rng, maxBodyBytes: number): Buffer {
  const open = rng.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  const depth = rng.int(100, Math.min(200_000, Math.floor((maxBodyBytes - 200) / (open.length + 1))));
  const nest = open.repeat(depth) + '1' + close.repeat(depth);
  // Every shape is refused as too deep (400) before anything else looks at it.
  switch (rng.int(0, 4)) {
    case 0:
      return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
    case 1:
      return Buffer.from(`{"x":${open.repeat(depth)}`);
    case 2:
      return Buffer.from(`{"payload":${nest}}`);
    case 3:
      return Buffer.from(`{"call_id":${nest},"event_type":"call_started"}`);
    default:
      // A routable envelope whose payload cannot be serialised: must be refused, never half-taken.
      return Buffer.from(`{"call_id":"${rng.uuid()}","event_type":"call_started","x":${nest}}`);
  }
}

function wrongTypes(rng: Rng): unknown {
  const callId = rng.uuid();
  const eventType = rng.pick(EVENT_TYPES);
  const badCallIds: unknown[] = [
    rng.int(-1e6, 1e6),
    null,
    true,
    [callId],
    { id: callId },
    '',
    'x'.repeat(rng.int(256, 5000)),
    `${callId}\u0000`,
    `abc\u0007${rng.hex(4)}`,
    `line\nbreak-${rng.hex(4)}`,
    `\u009b${rng.hex(6)}`,
    `\u007f`,
  ];
  const badEventTypes: unknown[] = [rng.int(0, 9), null, false, [eventType], { type: eventType }, ''];
  switch (rng.int(0, 5)) {
    case 0:
      return { ...envelope(rng), call_id: rng.pick(badCallIds) };
    case 1:
      return { ...envelope(rng), event_type: rng.pick(badEventTypes) };
    case 2: {
      const { call_id: _drop, ...rest } = envelope(rng);
      return rest;
    }
    case 3: {
      const { event_type: _drop, ...rest } = envelope(rng);
      return rest;
    }
    case 4:
      return rng.pick([
        {},
        { CALL_ID: callId, EVENT_TYPE: eventType },
        { callId, eventType },
        { call: { call_id: callId } },
      ]);
    default:
      return { call_id: rng.pick(badCallIds), event_type: rng.pick(badEventTypes) };
  }
}

/** `__proto__` / `constructor` / `prototype` tricks that try to smuggle the envelope in through the prototype. */
function protoKeys(rng: Rng): string {
  const inner = `{"call_id":"${rng.uuid()}","event_type":"call_started","polluted":1}`;
  return rng.pick([
    `{"__proto__":${inner}}`,
    `{"constructor":{"prototype":${inner}}}`,
    `{"__proto__":{"__proto__":${inner}}}`,
    `{"prototype":${inner},"event_type":"call_started"}`,
    `{"__proto__":{"call_id":"${rng.uuid()}"},"event_type":"call_started"}`,
    `{"call_id":{"__proto__":"x"},"event_type":"call_started"}`,
    `{"call_id":"${rng.uuid()}","__proto__":{"event_type":"call_started"}}`,
    `{"constructor":{"name":"Object"},"__proto__":null}`,
    `{"__proto__":[],"length":0}`,
    `{"call_id":"${rng.uuid()}","event_type":{"toString":"call_started"}}`,
    `{"hasOwnProperty":"x","valueOf":1,"toString":"y","__defineGetter__":2}`,
  ]);
}

function hugeString(rng: Rng, maxBodyBytes: number): { body: Buffer; expect: number[] } {
  const size = rng.int(50_000, maxBodyBytes - 1000);
  const big = 'A'.repeat(size);
  switch (rng.int(0, 2)) {
    case 0:
      return { body: json({ call_id: big, event_type: 'call_started' }), expect: [422] };
    case 1:
      return { body: json({ call_id: rng.uuid(), event_type: '', transcript: big }), expect: [422] };
    default:
      return { body: json({ event_type: big, padding: big.slice(0, 1000) }), expect: [422] };
  }
}

/**
 * Every request of the corpus, in a seeded shuffled order. `webhookPath` must be the receiver's
 * webhook route (the `wrong-path` category derives its paths from it).
 */
export function generateHostileCorpus(options: CorpusOptions): HostileRequest[] {
  const rng = createRng(options.seed);
  const requests: HostileRequest[] = [];
  const path = options.webhookPath;
  const add = (
    category: HostileCategory,
    request: Omit<HostileRequest, 'id' | 'category' | 'transport' | 'method' | 'path'> &
      Partial<Pick<HostileRequest, 'transport' | 'method' | 'path'>>
  ): void => {
    requests.push({ id: requests.length, category, transport: 'http', method: 'POST', path, ...request });
  };
  const jsonType = { 'content-type': 'application/json' };
  const count = (category: HostileCategory): number => CATEGORY_COUNTS[category];

  for (let i = 0; i < count('missing-token'); i++) {
    const headers: Record<string, string> = rng.chance(0.5) ? { ...jsonType } : {};
    // Empty or scheme-only auth headers count as missing.
    const variant = rng.int(0, 4);
    if (variant === 1) headers['authorization'] = 'Bearer';
    if (variant === 2) headers['authorization'] = 'Bearer    ';
    if (variant === 3) headers['x-webhook-secret'] = '   ';
    if (variant === 4) headers['authorization'] = '';
    add('missing-token', {
      method: rng.pick(['POST', 'PUT', 'PATCH']),
      headers,
      body: json(envelope(rng)),
      expect: [401],
    });
  }
  for (let i = 0; i < count('wrong-token-bearer'); i++) {
    const scheme = rng.pick(['Bearer ', 'bearer ', 'BEARER  ', 'Bearer\t']);
    add('wrong-token-bearer', {
      headers: { ...jsonType, authorization: `${scheme}${wrongToken(rng, options)}` },
      body: json(envelope(rng)),
      expect: [401],
    });
  }
  for (let i = 0; i < count('wrong-token-secret'); i++) {
    add('wrong-token-secret', {
      method: rng.pick(['POST', 'PUT', 'PATCH']),
      headers: { ...jsonType, 'x-webhook-secret': wrongToken(rng, options) },
      body: json(envelope(rng)),
      expect: [401],
    });
  }
  for (let i = 0; i < count('token-elsewhere'); i++) {
    const token = rng.pick([options.token, options.otherToken]);
    const variant = rng.int(0, 5);
    const headers: Record<string, string> = { ...jsonType };
    let requestPath = path;
    let body = json(envelope(rng));
    if (variant === 0) requestPath = `${path}?token=${encodeURIComponent(token)}`;
    if (variant === 1) body = json({ ...envelope(rng), token, webhook_secret: token });
    if (variant === 2) headers['cookie'] = `token=${token}`;
    if (variant === 3) headers['authorization'] = `Basic ${Buffer.from(`user:${token}`).toString('base64')}`;
    if (variant === 4) headers['authorization'] = `Token ${token}`;
    if (variant === 5) headers['x-api-key'] = token;
    add('token-elsewhere', { path: requestPath, headers, body, expect: [401] });
  }
  for (let i = 0; i < count('malformed-json'); i++) {
    const { body, contentType, encoding } = malformed(rng);
    const headers: Record<string, string> = { ...authHeader(options) };
    if (contentType) headers['content-type'] = contentType;
    if (encoding) headers['content-encoding'] = encoding;
    add('malformed-json', { headers, body, expect: [400] });
  }
  for (let i = 0; i < count('truncated-json'); i++) {
    const text = JSON.stringify(envelope(rng));
    // Any strict prefix of a JSON object (no trailing whitespace) is not JSON.
    const cut = rng.int(0, text.length - 1);
    add('truncated-json', {
      headers: { ...authHeader(options), ...(rng.chance(0.5) ? jsonType : {}) },
      body: Buffer.from(text.slice(0, cut)),
      expect: [400],
    });
  }
  for (let i = 0; i < count('not-an-object'); i++) {
    add('not-an-object', {
      headers: { ...authHeader(options), ...jsonType },
      body: Buffer.from(notAnObject(rng)),
      expect: [400],
    });
  }
  for (let i = 0; i < count('invalid-utf8'); i++) {
    add('invalid-utf8', {
      headers: { ...authHeader(options), 'content-type': rng.pick(['application/json', 'application/octet-stream']) },
      body: invalidUtf8(rng),
      expect: [400],
    });
  }
  for (let i = 0; i < count('deep-nesting'); i++) {
    add('deep-nesting', {
      headers: { ...authHeader(options), ...jsonType },
      body: deepNesting(rng, options.maxBodyBytes),
      expect: [400],
    });
  }
  for (let i = 0; i < count('wrong-types'); i++) {
    add('wrong-types', {
      headers: { ...(rng.chance(0.5) ? authHeader(options) : { 'x-webhook-secret': options.otherToken }), ...jsonType },
      body: json(wrongTypes(rng)),
      expect: [422],
    });
  }
  for (let i = 0; i < count('proto-keys-no-envelope'); i++) {
    add('proto-keys-no-envelope', {
      headers: { ...authHeader(options), ...jsonType },
      body: Buffer.from(protoKeys(rng)),
      expect: [422],
    });
  }
  for (let i = 0; i < count('huge-strings'); i++) {
    const { body, expect } = hugeString(rng, options.maxBodyBytes);
    add('huge-strings', { headers: { ...authHeader(options), ...jsonType }, body, expect });
  }
  for (let i = 0; i < count('oversize'); i++) {
    const headers = { ...authHeader(options), ...jsonType };
    if (i % 6 === 0) {
      // Really sent, chunked (no Content-Length): the limit must stop it while streaming.
      const padding = 'p'.repeat(options.maxBodyBytes + rng.int(1, 200_000));
      add('oversize', { headers, body: json({ ...envelope(rng), padding }), chunked: true, expect: [413] });
    } else {
      // Announced too big: answered before the body is read.
      add('oversize', {
        headers,
        body: Buffer.from(JSON.stringify(envelope(rng)).slice(0, 40)),
        declaredLength: options.maxBodyBytes + rng.int(1, 1e9),
        expect: [413],
      });
    }
  }
  for (let i = 0; i < count('wrong-method'); i++) {
    const method = rng.pick(['GET', 'DELETE', 'HEAD', 'GET', 'DELETE']);
    const withToken = rng.chance(0.5);
    add('wrong-method', {
      method,
      headers: withToken ? authHeader(options) : {},
      body: Buffer.alloc(0),
      expect: [405],
    });
  }
  for (let i = 0; i < count('wrong-path'); i++) {
    const wrong = rng.pick([
      `${path}/extra`,
      `${path}x`,
      path.replace('ringg', 'ring'),
      '/webhooks',
      '/',
      `/${rng.hex(12)}`,
      `${path}/..%2f..%2fetc%2fpasswd`,
      `/calls`,
      `/%00${path}`,
      `/${'a/'.repeat(rng.int(1, 500))}`,
    ]);
    add('wrong-path', {
      method: rng.pick(['POST', 'PUT']),
      path: wrong,
      headers: { ...authHeader(options), ...jsonType },
      body: json(envelope(rng)),
      expect: [404],
    });
  }
  for (let i = 0; i < count('bad-content-length'); i++) {
    const variant = rng.int(0, 3);
    const text = JSON.stringify(envelope(rng));
    const headers: Record<string, string> = { ...authHeader(options), ...jsonType };
    if (variant <= 1) {
      // Declared shorter than sent: the receiver reads a truncated object.
      headers['content-length'] = String(rng.int(1, text.length - 1));
      add('bad-content-length', { headers, body: Buffer.from(text), expect: [400] });
    } else {
      // A Content-Length that is not a number, or conflicting ones: the HTTP parser refuses it.
      const value = rng.pick(['abc', '-1', '1.5', '0x10', '1 2', '+5', '99999999999999999999999']);
      add('bad-content-length', {
        transport: 'raw',
        headers: {},
        body: Buffer.alloc(0),
        raw: Buffer.from(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${options.token}\r\n` +
            (variant === 2
              ? `Content-Length: ${value}\r\n`
              : `Content-Length: ${text.length}\r\nContent-Length: ${text.length + 1}\r\n`) +
            `Connection: close\r\n\r\n${text}`
        ),
        expect: variant === 2 && value === '99999999999999999999999' ? [400, 413] : [400],
      });
    }
  }
  for (let i = 0; i < count('raw-protocol'); i++) {
    const text = JSON.stringify(envelope(rng));
    const auth = `Authorization: Bearer ${options.token}\r\n`;
    const variant = rng.int(0, 7);
    let raw: Buffer;
    let expect = [400];
    if (variant === 0) {
      // Control bytes in a header value.
      raw = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nX-Junk: a\u0001b\u007f\r\n${auth}\r\n`);
    } else if (variant === 1) {
      raw = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n${auth}\r\n`);
    } else if (variant === 2) {
      // Headers past the server's limit.
      raw = Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(rng.int(17_000, 40_000))}\r\n${auth}\r\n`
      );
      expect = [431];
    } else if (variant === 3) {
      raw = Buffer.from(`POST ${path} HTTP/9.9\r\nHost: x\r\n${auth}Content-Length: ${text.length}\r\n\r\n${text}`);
      expect = [400, 505];
    } else if (variant === 4) {
      raw = Buffer.concat([Buffer.from([0x01]), randomBytes(rng, rng.int(1, 300)), Buffer.from('\r\n\r\n')]);
    } else if (variant === 5) {
      raw = Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${text.length}\r\nTransfer-Encoding: chunked\r\n\r\n${text}`
      );
    } else if (variant === 6) {
      // Bad chunk framing.
      raw = Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n${text}\r\n0\r\n\r\n`
      );
    } else {
      raw = Buffer.from(`POST /webhooks/\u00ff\u0000ringg HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, 'latin1');
    }
    add('raw-protocol', { transport: 'raw', headers: {}, body: Buffer.alloc(0), raw, expect });
  }
  return rng.shuffle(requests).map((request, id) => ({ ...request, id }));
}
