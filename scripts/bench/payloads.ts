/*
 * Request bodies for the load scenarios: realistic Ringg event sequences from
 * src/simulate/generate-call.ts, serialised once as templates and cycled with fresh call ids,
 * so every call in a run is new to Temporal (a repeat would be a cheaper signal to an open
 * workflow, and would flatter the numbers).
 */
import { generateCall, type RinggPayload } from '../../src/simulate/generate-call';

export interface PayloadMixOptions {
  seed: string;
  /** Distinguishes load runs that share one dev server, so no two runs reuse a call id. */
  runTag: number;
  /** Pad (or trim) every `transcript` to about this many bytes of JSON; null keeps them as generated. */
  transcriptBytes: number | null;
  /** Calls generated before cycling; bounded by memory for large transcripts. */
  poolCalls?: number;
  recordingBaseUrl?: string | null;
}

export interface PayloadMix {
  description: string;
  eventsPerCall: number;
  meanBodyBytes: number;
  maxBodyBytes: number;
  /** The next body; every call id (and its recording URL) is unique to this mix and cycle. */
  next(): string;
  /** How many bodies next() has handed out. */
  handedOut(): number;
}

interface Template {
  callId: string;
  /** The serialised event split around its call id, which it holds in call_id and recording_url. */
  parts: string[];
  bytes: number;
}

type Turn = { bot: string } | { user: string };

/** Lines to pad with: a generated conversation's own turns, repeated. */
const FILLER: Turn[] = [
  { bot: 'Namaste, am I speaking with the account holder?' },
  { user: 'Yes, speaking. Who is this?' },
  { bot: 'I am calling from Finserv about your EMI due this week. Will you be able to pay it on time?' },
  { user: 'I think so, but can you tell me the exact amount and the last date once more?' },
];

export function padTranscript(turns: Turn[], targetBytes: number): Turn[] {
  const source = turns.length > 0 ? turns : FILLER;
  const out: Turn[] = [];
  let bytes = 2;
  // Bounded: each turn adds at least ~10 bytes, and we stop at the target.
  for (let i = 0; bytes < targetBytes && i < targetBytes; i++) {
    const turn = source[i % source.length] as Turn;
    const size = JSON.stringify(turn).length + 1;
    if (bytes + size > targetBytes && out.length > 0) break;
    out.push(turn);
    bytes += size;
  }
  return out;
}

/** Keeps the UUID shape: the last group becomes 4 hex digits of run tag + 8 of cycle. */
function cycledId(callId: string, runTag: number, cycle: number): string {
  const suffix = `${(runTag & 0xffff).toString(16).padStart(4, '0')}${(cycle >>> 0).toString(16).padStart(8, '0')}`;
  return callId.length === 36 ? `${callId.slice(0, 24)}${suffix}` : `${callId}-${suffix}`;
}

const POOL_BYTES_BUDGET = 48 * 1024 * 1024;

export function createPayloadMix(options: PayloadMixOptions): PayloadMix {
  const perCallEstimate = options.transcriptBytes === null ? 10_000 : 4 * options.transcriptBytes + 8_000;
  const poolCalls = Math.max(8, Math.min(options.poolCalls ?? 600, Math.floor(POOL_BYTES_BUDGET / perCallEstimate)));
  const startedAt = new Date('2025-06-02T09:30:00.000Z');
  const calls: Template[][] = [];
  for (let index = 0; index < poolCalls; index++) {
    const call = generateCall({
      seed: options.seed,
      index,
      startedAt,
      recordingBaseUrl: options.recordingBaseUrl ?? null,
    });
    calls.push(
      call.events.map((event: RinggPayload) => {
        const shaped =
          options.transcriptBytes !== null && Array.isArray(event['transcript'])
            ? { ...event, transcript: padTranscript(event['transcript'] as Turn[], options.transcriptBytes) }
            : event;
        const json = JSON.stringify(shaped);
        return { callId: call.callId, parts: json.split(call.callId), bytes: Buffer.byteLength(json) };
      })
    );
  }

  /*
   * Block-interleaved order: event 0 of 64 calls, then event 1 of the same calls, and so on.
   * A call's events go out in Ringg's order, but concurrent requests hit different workflows,
   * as they do when many calls are live (one call's events are seconds to minutes apart).
   */
  const order: Template[] = [];
  const block = Math.min(64, calls.length);
  for (let start = 0; start < calls.length; start += block) {
    const group = calls.slice(start, start + block);
    const longest = Math.max(...group.map((events) => events.length));
    for (let e = 0; e < longest; e++) {
      for (const events of group) {
        const template = events[e];
        if (template) order.push(template);
      }
    }
  }

  const sizes = order.map((template) => template.bytes);
  let counter = 0;
  return {
    description:
      options.transcriptBytes === null
        ? 'generateCall sequences as generated'
        : `generateCall sequences, every transcript padded to ~${options.transcriptBytes} B`,
    eventsPerCall: order.length / calls.length,
    meanBodyBytes: Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length),
    maxBodyBytes: Math.max(...sizes),
    next() {
      const i = counter++;
      const template = order[i % order.length] as Template;
      return template.parts.join(cycledId(template.callId, options.runTag, Math.floor(i / order.length)));
    },
    handedOut: () => counter,
  };
}
