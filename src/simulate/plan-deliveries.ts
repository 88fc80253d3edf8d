import type { RinggPayload } from './generate-call';
import type { Rng } from './prng';

export interface Delivery {
  payload: RinggPayload;
  /** 0 for the first delivery of an event, 1..K for its repeats. */
  copy: number;
}

/** Deliveries sent at the same time (`Promise.all`); batches go out one after another. */
export type DeliveryBatch = Delivery[];

export interface PlanDeliveriesOptions {
  /** Extra deliveries of every event. */
  duplicates: number;
  /** Deliver the call's events in random order (APC may come first). */
  shuffle: boolean;
}

/**
 * Decides how one call's events reach the receiver. Repeats mimic Ringg's redeliveries after a
 * slow or lost 200 (ringg-webhooks.md §3): about half race the original in the same batch, the
 * rest arrive later. Without `shuffle`, first deliveries keep the emission order.
 */
export function planDeliveries(
  events: readonly RinggPayload[],
  options: PlanDeliveriesOptions,
  rng: Rng
): DeliveryBatch[] {
  const originals: DeliveryBatch[] = events.map((payload) => [{ payload, copy: 0 }]);
  const later: { origin: DeliveryBatch; batch: DeliveryBatch }[] = [];
  for (const batch of originals) {
    const original = batch[0] as Delivery;
    for (let copy = 1; copy <= options.duplicates; copy++) {
      const repeat: Delivery = { payload: original.payload, copy };
      if (rng.chance(0.5)) batch.push(repeat);
      else later.push({ origin: batch, batch: [repeat] });
    }
  }
  if (options.shuffle) return rng.shuffle([...originals, ...later.map((entry) => entry.batch)]);
  const plan = [...originals];
  for (const { origin, batch } of later) {
    const after = plan.indexOf(origin) + 1;
    plan.splice(rng.int(after, plan.length), 0, batch);
  }
  return plan;
}
