import type { Logger } from 'pino';
import type { CallEventDelivery } from '../events';
import type { FileSpool } from '../spool/file-spool';
import { isTemporalRejection } from '../temporal/temporal-errors';
import type { SpoolForwarder } from '../spool/spool-forwarder';
import type { CallSignaller, SignalOutcome } from './signal-call-event';

export type IntakeOutcome = SignalOutcome | 'spooled';

export interface EventIntake {
  /** Resolves once the event is in Temporal or on the spool's disk; throws SpoolUnavailableError otherwise. */
  deliver(delivery: CallEventDelivery): Promise<IntakeOutcome>;
}

/**
 * Temporal first; when it is unreachable or slow, the spool. Ringg retries only 4 times in
 * about 3 minutes and ignores Retry-After (ringg-webhooks.md §3), so an outage must not turn
 * into 503s. While the forwarder knows Temporal is down, events go straight to the spool
 * instead of each waiting out the signal timeout.
 */
export function createEventIntake(
  signaller: CallSignaller,
  spool: FileSpool,
  forwarder: SpoolForwarder,
  log: Logger
): EventIntake {
  function toSpool(delivery: CallEventDelivery): IntakeOutcome {
    spool.append(delivery);
    forwarder.wake();
    return 'spooled';
  }
  return {
    async deliver(delivery) {
      if (forwarder.temporalDown && spool.depth > 0) return toSpool(delivery);
      try {
        return await signaller.signal(delivery);
      } catch (error) {
        if (isTemporalRejection(error)) throw error;
        log.warn({ call_id: delivery.payload.call_id, err: error }, 'Temporal unavailable; spooling the event');
        forwarder.temporalDown = true;
        return toSpool(delivery);
      }
    },
  };
}

/** No spool (tests of the bare path): an unreachable Temporal is an error. */
export function directIntake(signaller: CallSignaller): EventIntake {
  return { deliver: (delivery) => signaller.signal(delivery) };
}
