import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CallEventDelivery } from '../src/events';
import type { CallView } from './call-view';

/** One webhook delivery for the call; sent only through signalWithStart by the receiver. */
export const callEventSignal = defineSignal<[CallEventDelivery]>('callEvent');

/** The live call view shown by `GET /calls/:call_id` and the Temporal UI's query tab. */
export const callViewQuery = defineQuery<CallView>('callView');
