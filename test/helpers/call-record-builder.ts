import { buildCallRecord, type CallRecord } from '../../workflows/call-record';
import { initialCallState } from '../../workflows/call-state';

/** A completed call's record for unit tests of steps: the real builder's shape, with overrides. */
export function callRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  const state = initialCallState(overrides.callId ?? 'call-7f3a');
  const completion = { reason: 'all_processing_completed' as const, completedAt: '2026-01-01T00:00:00.000Z' };
  return { ...buildCallRecord(state, 'completed', completion), ...overrides };
}
