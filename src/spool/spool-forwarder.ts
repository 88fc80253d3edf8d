import type { Logger } from 'pino';
import type { CallSignaller } from '../receiver/signal-call-event';
import { isTemporalRejection } from '../temporal/temporal-errors';
import type { FileSpool } from './file-spool';

export interface SpoolForwarderOptions {
  spool: FileSpool;
  signaller: CallSignaller;
  log: Logger;
  /** First retry delay after Temporal refused; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Delivers spooled events to Temporal, oldest first, removing each only after signalWithStart
 * succeeded. A re-delivered event is harmless: the workflow ignores a delivery id it has seen.
 */
export class SpoolForwarder {
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private draining: Promise<void> | null = null;
  /** True while the last attempt to reach Temporal failed; new events then go straight to the spool. */
  temporalDown = false;
  forwarded = 0;

  constructor(private readonly options: SpoolForwarderOptions) {
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Asks for a drain now (e.g. after an append); a no-op while one is running or backing off. */
  wake(): void {
    if (!this.running || this.stopped || this.draining || this.timer) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const { spool, signaller, log } = this.options;
    for (let entry = spool.peek(); entry && !this.stopped; entry = spool.peek()) {
      let delivery;
      try {
        delivery = spool.read(entry);
      } catch (error) {
        log.error({ entry: entry.name, err: error }, 'unreadable spool entry set aside');
        spool.quarantine(entry, 'unreadable');
        continue;
      }
      try {
        const outcome = await signaller.signal(delivery);
        spool.remove(entry);
        this.forwarded++;
        this.temporalDown = false;
        this.backoffMs = this.options.minBackoffMs ?? 500;
        log.info(
          {
            call_id: delivery.payload.call_id,
            event_type: delivery.payload.event_type,
            delivery_id: delivery.deliveryId,
            outcome,
            spool_depth: spool.depth,
          },
          'spooled event forwarded'
        );
      } catch (error) {
        if (isTemporalRejection(error)) {
          log.error(
            { call_id: delivery.payload.call_id, event_type: delivery.payload.event_type, err: error },
            'Temporal rejected a spooled event; set aside in the spool directory'
          );
          spool.quarantine(entry, 'rejected');
          continue;
        }
        this.temporalDown = true;
        log.warn(
          { err: error, spool_depth: spool.depth, retry_in_ms: this.backoffMs },
          'Temporal still unavailable; spool kept'
        );
        this.schedule(this.backoffMs);
        this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5000);
        return;
      }
    }
  }

  /** Stops after the delivery in flight; what is left stays on disk for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
  }
}
