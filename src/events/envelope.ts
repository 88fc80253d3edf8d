import { z } from 'zod';

// Control characters would corrupt log lines and the Temporal UI; 255 matches the
// workflow ID limit we configure (limit.maxIDLength).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The only strict gate on an incoming body: without these two fields an event cannot be routed. */
export const CallEventEnvelope = z.looseObject({
  call_id: z
    .string()
    .min(1, 'must be a non-empty string')
    .max(255, 'must be at most 255 characters')
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
  event_type: z.string().min(1, 'must be a non-empty string'),
});
export type CallEventEnvelope = z.infer<typeof CallEventEnvelope>;
