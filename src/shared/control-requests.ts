// Schemas of the requests the daemon's shell answers itself (ping, status, queue, pause, resume, stop,
// reload, next, back) and of voices: validated like every other action, so a wrong type or an unknown field is an
// E_INVALID answer rather than silently accepted.
import { z } from 'zod';
import { RequestIdSchema } from './requests.js';

const plain = <A extends string>(action: A) =>
  z.object({ action: z.literal(action), id: RequestIdSchema.optional(), v: z.number().int().optional() }).strict();

export const CONTROL_REQUEST_SCHEMAS = {
  ping: plain('ping'),
  status: plain('status'),
  queue: plain('queue'),
  pause: plain('pause'),
  resume: plain('resume'),
  stop: plain('stop'),
  voices: plain('voices'),
  reload: plain('reload').extend({ model: z.boolean().optional() }).strict(),
  next: plain('next'),
  back: plain('back'),
} as const;

/** Whether `id` may be echoed in an answer (a string of at most 200 characters or an integer). */
export function validRequestId(id: unknown): boolean {
  return RequestIdSchema.safeParse(id).success;
}
