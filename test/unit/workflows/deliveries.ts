import { parseCallEvent, type CallEventDelivery } from '../../../src/events';
import { applyDelivery, initialCallState, type CallState } from '../../../workflows/call-state';

const BASE_TIME = Date.parse('2026-08-10T09:30:00.000Z');

/** A delivery exactly as the receiver builds it: parsed by the real schemas, rejected bodies throw. */
export function toDelivery(payload: unknown, deliveryId: string, receivedAt: string): CallEventDelivery {
  const parsed = parseCallEvent(payload);
  if (!parsed.ok) throw new Error(`fixture rejected: ${JSON.stringify(parsed.issues)}`);
  return { deliveryId, receivedAt, payload: parsed.payload, schemaIssues: parsed.schemaIssues };
}

/** `receivedAt` for the n-th arrival: one second apart, ISO 8601 with microseconds. */
export function receivedAt(n: number): string {
  return new Date(BASE_TIME + n * 1000).toISOString().replace('Z', '000Z');
}

/** Applies the deliveries in the given order, re-stamping each with its arrival time in that order. */
export function foldDeliveries(callId: string, deliveries: readonly CallEventDelivery[]): CallState {
  const state = initialCallState(callId);
  deliveries.forEach((delivery, n) => applyDelivery(state, { ...delivery, receivedAt: receivedAt(n) }));
  return state;
}

/** Delivers the payloads in the given order, each with its own delivery id and arrival time. */
export function foldPayloads(callId: string, payloads: readonly unknown[]): CallState {
  return foldDeliveries(
    callId,
    payloads.map((payload, n) => toDelivery(payload, `delivery-${n}`, receivedAt(n)))
  );
}

/** Deterministic Fisher-Yates with a small LCG, so a failing order can be reproduced from its seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

export function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i] as T, ...tail];
  }
}
