import type { CallEventDelivery } from '../../../src/events';
import { buildCallRecord } from '../../../workflows/call-record';
import {
  applyDelivery,
  eventKey,
  hasEvent,
  initialCallState,
  statusRank,
  typedView,
  type CallState,
} from '../../../workflows/call-state';
import { callSequence, loadFixture, type FixturePayload } from '../../fixtures/ringg';
import { foldDeliveries, foldPayloads, permutations, receivedAt, seededShuffle, toDelivery } from './deliveries';

const CALL_ID = '11111111-2222-4333-8444-555555555555';

function withoutField(payload: FixturePayload, field: string): FixturePayload {
  const copy = { ...payload };
  delete copy[field];
  return copy;
}

function keyOf(name: string, overrides: Record<string, unknown> = {}): string {
  return eventKey(toDelivery({ ...loadFixture(name), ...overrides }, 'd', receivedAt(0)).payload);
}

/** Everything about the folded call that must not depend on arrival order (arrival times excluded). */
function outcome(state: CallState) {
  return {
    callStatus: state.callStatus,
    subStatus: state.subStatus,
    agentId: state.agentId,
    workspaceId: state.workspaceId,
    events: [...state.events]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ key, eventType, deliveries, payload, schemaIssues }) => ({
        key,
        eventType,
        deliveries,
        payload,
        schemaIssues,
      })),
    record: buildCallRecord(state, 'completed', null),
  };
}

describe('eventKey', () => {
  it('keys call_completed per attempt when retry_count differs', () => {
    expect(keyOf('call_completed.v3-retry')).toBe('call_completed:attempt-0:retry');
    expect(keyOf('call_completed.v3')).toBe('call_completed:attempt-1:completed');
  });

  it('keeps an interim retry apart from the final outcome when both carry the same retry_count', () => {
    const retry = loadFixture('call_completed.v3-retry');
    const final = { ...loadFixture('call_completed.v3'), retry_count: retry['retry_count'] };
    const state = initialCallState(CALL_ID);
    applyDelivery(state, toDelivery({ ...final, call_id: CALL_ID }, 'final', receivedAt(0)));
    applyDelivery(state, toDelivery({ ...retry, call_id: CALL_ID }, 'late-retry', receivedAt(1)));
    expect(state.events).toHaveLength(2);
    expect(state.callStatus).toBe('completed');
  });

  it('falls back to called_on for a call_completed without retry_count', () => {
    const payload = withoutField(loadFixture('call_completed.v3'), 'retry_count');
    expect(eventKey(toDelivery(payload, 'd', receivedAt(0)).payload)).toBe(
      'call_completed:attempt-2026-08-10T09:35:02.907314Z:completed'
    );
  });

  it('keys call_started per status when it carries no event_id', () => {
    const registered = withoutField(loadFixture('call_started.v3'), 'event_id');
    const ongoing = withoutField(loadFixture('call_started.v3-ongoing'), 'event_id');
    expect(eventKey(toDelivery(registered, 'a', receivedAt(0)).payload)).toBe('call_started:registered');
    expect(eventKey(toDelivery(ongoing, 'b', receivedAt(0)).payload)).toBe('call_started:ongoing');
    expect(eventKey(toDelivery({ ...ongoing, status: 'ONGOING' }, 'c', receivedAt(0)).payload)).toBe(
      'call_started:ongoing'
    );
  });

  it('keys a V2 call_started without status by its event type alone', () => {
    expect(keyOf('call_started.v2')).toBe('call_started');
  });

  it('uses event_id over every other refinement when present', () => {
    expect(keyOf('call_started.v3')).toBe('call_started:0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b');
    expect(keyOf('call_completed.v3', { event_id: 'ev-9', retry_count: 4 })).toBe('call_completed:ev-9');
  });

  it('ignores an empty event_id', () => {
    expect(keyOf('call_completed.v3', { event_id: '' })).toBe('call_completed:attempt-1:completed');
  });

  it.each([
    'recording_completed.v3',
    'platform_analysis_completed.v3',
    'client_analysis_completed.v3',
    'all_processing_completed.v3',
  ])('keys %s by event type only', (name) => {
    expect(keyOf(name)).toBe(loadFixture(name).event_type);
  });
});

describe('statusRank', () => {
  it('ranks registered < ongoing < retry < terminal statuses, and unknown or missing as 0', () => {
    expect(statusRank('registered')).toBeLessThan(statusRank('ongoing'));
    expect(statusRank('ongoing')).toBeLessThan(statusRank('retry'));
    for (const terminal of ['completed', 'failed', 'error', 'cancelled', 'forwarded']) {
      expect(statusRank(terminal)).toBeGreaterThan(statusRank('retry'));
    }
    expect(statusRank('transferred_to_queue')).toBe(0);
    expect(statusRank(null)).toBe(0);
  });
});

describe('applyDelivery', () => {
  it('records a first delivery as a new event', () => {
    const state = initialCallState(CALL_ID);
    const delivery = toDelivery(callSequence('v3', CALL_ID)[0], 'd-1', receivedAt(0));
    expect(applyDelivery(state, delivery)).toBe('new_event');
    expect(state.events).toHaveLength(1);
    expect(state.events[0]).toMatchObject({ eventType: 'call_started', deliveries: 1, firstReceivedAt: receivedAt(0) });
    expect(state.callStatus).toBe('registered');
    expect(state.subStatus).toBe('QUEUED');
    expect(state.revision).toBe(1);
  });

  it('counts a repeat on the same event and keeps the newest payload when a later copy differs', () => {
    const state = initialCallState(CALL_ID);
    const first = { ...loadFixture('recording_completed.v3'), call_id: CALL_ID };
    const second = { ...first, recording_url: 'https://recordings.ringg.example/renewed.mp3' };
    applyDelivery(state, toDelivery(first, 'd-1', receivedAt(0)));
    expect(applyDelivery(state, toDelivery(second, 'd-2', receivedAt(5)))).toBe('repeat');
    expect(state.events).toHaveLength(1);
    expect(state.events[0]?.deliveries).toBe(2);
    expect(state.events[0]?.payload['recording_url']).toBe('https://recordings.ringg.example/renewed.mp3');
    expect(state.events[0]?.lastReceivedAt).toBe(receivedAt(5));
    expect(state.revision).toBe(2);
  });

  it('keeps the newer payload when an older copy arrives after it', () => {
    const state = initialCallState(CALL_ID);
    const older = { ...loadFixture('recording_completed.v3'), call_id: CALL_ID };
    const newer = { ...older, recording_url: 'https://recordings.ringg.example/renewed.mp3' };
    applyDelivery(state, toDelivery(newer, 'd-2', receivedAt(5)));
    applyDelivery(state, toDelivery(older, 'd-1', receivedAt(1)));
    expect(state.events[0]?.payload['recording_url']).toBe('https://recordings.ringg.example/renewed.mp3');
    expect(state.events[0]?.firstReceivedAt).toBe(receivedAt(1));
    expect(state.events[0]?.lastReceivedAt).toBe(receivedAt(5));
  });

  it("prefers Ringg's timestamp over receive time when copies of one event disagree", () => {
    const state = initialCallState(CALL_ID);
    const earlier = { ...loadFixture('call_started.v3'), call_id: CALL_ID };
    const later = { ...earlier, timestamp: '2026-08-10T09:30:01.000000Z', calling_source: 'vobiz' };
    applyDelivery(state, toDelivery(later, 'd-1', receivedAt(0)));
    applyDelivery(state, toDelivery(earlier, 'd-2', receivedAt(9)));
    expect(state.events[0]?.payload['calling_source']).toBe('vobiz');
  });

  it('counts the same deliveryId only once when it is applied twice', () => {
    const state = initialCallState(CALL_ID);
    const delivery = toDelivery(callSequence('v3', CALL_ID)[3], 'spooled-1', receivedAt(0));
    expect(applyDelivery(state, delivery)).toBe('new_event');
    expect(applyDelivery(state, { ...delivery, receivedAt: receivedAt(30) })).toBe('already_applied');
    expect(state.events[0]?.deliveries).toBe(1);
    expect(state.events[0]?.lastReceivedAt).toBe(receivedAt(0));
    expect(state.deliveryIds).toEqual(['spooled-1']);
    expect(state.revision).toBe(1);
  });

  it('keeps two call_completed attempts apart and both V3 call_started variants apart', () => {
    const state = foldPayloads(CALL_ID, callSequence('v3', CALL_ID));
    expect(state.events.map((event) => event.key).sort()).toEqual([
      'all_processing_completed',
      'call_completed:attempt-0:retry',
      'call_completed:attempt-1:completed',
      'call_started:0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
      'call_started:5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
      'client_analysis_completed',
      'platform_analysis_completed',
      'recording_completed',
    ]);
    expect(state.events.every((event) => event.deliveries === 1)).toBe(true);
  });

  it('takes agentId and workspaceId from the first event that carries them, not from recording_completed', () => {
    const [, recording, analysis] = callSequence('v1', CALL_ID).map((payload, n) =>
      toDelivery(payload, `d-${n}`, receivedAt(n))
    );
    const state = initialCallState(CALL_ID);
    applyDelivery(state, recording as CallEventDelivery);
    expect(state.agentId).toBeNull();
    applyDelivery(state, analysis as CallEventDelivery);
    expect(state.agentId).toBe('8f14e45f-ceea-4e7a-9b1d-2c3f5a6b7c8d');
    expect(state.workspaceId).toBe('1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f');
  });

  describe('arrival order', () => {
    const templates = callSequence('v3', CALL_ID).map((payload, n) =>
      toDelivery(payload, `delivery-${n}`, receivedAt(n))
    );
    const expected = outcome(foldDeliveries(CALL_ID, templates));

    it('ends completed/ACCEPTED with eight events for the v3 call in emit order', () => {
      expect(expected.callStatus).toBe('completed');
      expect(expected.subStatus).toBe('ACCEPTED');
      expect(expected.events).toHaveLength(8);
    });

    it('gives the same status, events and record for every permutation of a v3 call', () => {
      const expectedJson = JSON.stringify(expected);
      const differing: string[][] = [];
      let checked = 0;
      for (const order of permutations(templates)) {
        // Key order of the built objects is fixed by the code, so equal outcomes serialize equally.
        if (JSON.stringify(outcome(foldDeliveries(CALL_ID, order))) !== expectedJson) {
          differing.push(order.map((delivery) => delivery.deliveryId));
        }
        checked++;
      }
      expect(checked).toBe(40320);
      expect(differing.slice(0, 5)).toEqual([]);
    });

    it('gives the same outcome for seeded shuffles of a v3 call delivered twice', () => {
      const twice = [...templates, ...templates.map((d) => ({ ...d, deliveryId: `${d.deliveryId}-again` }))];
      const expectedTwice = outcome(foldDeliveries(CALL_ID, twice));
      expect(expectedTwice.events.every((event) => event.deliveries === 2)).toBe(true);
      for (let seed = 1; seed <= 300; seed++) {
        const actual = outcome(foldDeliveries(CALL_ID, seededShuffle(twice, seed)));
        expect({ seed, ...actual }).toEqual({ seed, ...expectedTwice });
      }
    });
  });

  describe('status', () => {
    it('never moves backwards when call_started registered arrives after call_completed completed', () => {
      const [registered, , , completed] = callSequence('v3', CALL_ID);
      const state = foldPayloads(CALL_ID, [completed, registered]);
      expect(state.callStatus).toBe('completed');
      expect(state.subStatus).toBe('ACCEPTED');
      expect(state.events).toHaveLength(2);
    });

    it('keeps completed when the retry attempt arrives after the final attempt', () => {
      const [, , retry, completed] = callSequence('v3', CALL_ID);
      expect(foldPayloads(CALL_ID, [completed, retry]).callStatus).toBe('completed');
      expect(foldPayloads(CALL_ID, [retry, completed]).callStatus).toBe('completed');
    });

    it('moves forward from registered to retry to ongoing-or-later as events arrive in order', () => {
      const [registered, , retry] = callSequence('v3', CALL_ID);
      const state = initialCallState(CALL_ID);
      applyDelivery(state, toDelivery(registered, 'a', receivedAt(0)));
      expect(state.callStatus).toBe('registered');
      applyDelivery(state, toDelivery(retry, 'b', receivedAt(1)));
      expect(state.callStatus).toBe('retry');
      expect(state.subStatus).toBe('no answer');
    });

    it('takes the later attempt when two retry attempts arrive out of order', () => {
      const retry = { ...loadFixture('call_completed.v3-retry'), call_id: CALL_ID };
      const secondRetry = { ...retry, retry_count: 1, sub_status: 'busy line' };
      expect(foldPayloads(CALL_ID, [secondRetry, retry]).subStatus).toBe('busy line');
      expect(foldPayloads(CALL_ID, [retry, secondRetry]).subStatus).toBe('busy line');
    });

    it("lets all_processing_completed's terminal status decide over call_completed's", () => {
      const cc = { ...loadFixture('call_completed.v3'), call_id: CALL_ID };
      const apc = { ...loadFixture('all_processing_completed.v3-voicemail'), call_id: CALL_ID };
      const state = foldPayloads(CALL_ID, [apc, cc]);
      expect(state.callStatus).toBe('completed');
      expect(state.subStatus).toBe('VOICEMAIL_DETECTED');
    });

    it('compares status case-insensitively', () => {
      const cc = { ...loadFixture('call_completed.v3'), call_id: CALL_ID, status: 'COMPLETED' };
      const registered = { ...loadFixture('call_started.v3'), call_id: CALL_ID };
      expect(foldPayloads(CALL_ID, [cc, registered]).callStatus).toBe('completed');
    });

    it('records an unknown status only while no known status is present', () => {
      const open = { ...loadFixture('call_completed.v3-open-enums'), call_id: CALL_ID };
      expect(foldPayloads(CALL_ID, [open]).callStatus).toBe('transferred_to_queue');
      const registered = { ...loadFixture('call_started.v3'), call_id: CALL_ID };
      expect(foldPayloads(CALL_ID, [open, registered]).callStatus).toBe('registered');
    });

    it('picks the same sub_status in either order when two events claim the same status', () => {
      const pa = { ...loadFixture('platform_analysis_completed.v3-unconnected'), call_id: CALL_ID };
      const ca = { ...pa, event_type: 'client_analysis_completed', sub_status: 'Busy Line' };
      const forward = foldPayloads(CALL_ID, [pa, ca]);
      const backward = foldPayloads(CALL_ID, [ca, pa]);
      expect(forward.callStatus).toBe('failed');
      expect(backward.subStatus).toBe(forward.subStatus);
    });

    it('leaves the status null when only recording_completed has arrived', () => {
      const state = foldPayloads(CALL_ID, [{ ...loadFixture('recording_completed.v3'), call_id: CALL_ID }]);
      expect(state.callStatus).toBeNull();
      expect(state.subStatus).toBeNull();
    });
  });
});

describe('hasEvent', () => {
  it('says whether an event type has arrived', () => {
    const state = foldPayloads(CALL_ID, callSequence('v1', CALL_ID));
    expect(hasEvent(state, 'client_analysis_completed')).toBe(true);
    expect(hasEvent(state, 'all_processing_completed')).toBe(false);
  });
});

describe('typedView', () => {
  function onlyEvent(payload: unknown) {
    const state = foldPayloads(CALL_ID, [payload]);
    const [event] = state.events;
    if (!event) throw new Error('no event');
    return event;
  }

  it('returns the payload itself when it has no schema issues', () => {
    const event = onlyEvent({ ...loadFixture('call_completed.v3-extra-fields'), call_id: CALL_ID });
    expect(typedView(event)).toBe(event.payload);
  });

  it('drops only the invalid top-level fields and keeps every other field, known or unknown', () => {
    const payload = {
      ...loadFixture('call_completed.v3-extra-fields'),
      call_id: CALL_ID,
      call_duration: '20.5',
      retry_count: 'zero',
    };
    const view = typedView(onlyEvent(payload)) as Record<string, unknown>;
    expect(view).not.toHaveProperty('call_duration');
    expect(view).not.toHaveProperty('retry_count');
    const expected = { ...payload } as Record<string, unknown>;
    delete expected['call_duration'];
    delete expected['retry_count'];
    expect(view).toEqual(expected);
  });

  it('drops the whole top-level field when a nested value inside it is invalid', () => {
    const payload = loadFixture('platform_analysis_completed.v3');
    (payload['analysis_data'] as Record<string, unknown>)['callback_requested'] = 'yes';
    const view = typedView(onlyEvent({ ...payload, call_id: CALL_ID })) as Record<string, unknown>;
    expect(view).not.toHaveProperty('analysis_data');
    expect(view['transcript']).toEqual(payload['transcript']);
    expect(view['event_type']).toBe('platform_analysis_completed');
  });

  it('returns null for an event type without a schema', () => {
    const event = onlyEvent({ call_id: CALL_ID, event_type: 'call_transferred', status: 'forwarded' });
    expect(event.schemaIssues[0]?.code).toBe('unknown_event_type');
    expect(typedView(event)).toBeNull();
  });
});
