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
  voices_list: plain('voices_list'),
  // The preset's own fields are checked by the store (src/core/voices/store.ts), with the settings' schema.
  voices_save: plain('voices_save')
    .extend({
      name: z.string().max(200),
      instruct: z.string().max(4000).optional(),
      language: z.string().max(40).optional(),
      speaker: z.string().max(64).nullable().optional(),
      seed: z.number().int().min(0).max(0xffff_ffff).nullable().optional(),
    })
    .strict(),
  voices_remove: plain('voices_remove')
    .extend({ name: z.string().max(200) })
    .strict(),
  next: plain('next'),
  back: plain('back'),
  // The clip itself is checked by src/core/audio/reference.ts; a base64 clip is bounded by the frame limit.
  voices_clone: plain('voices_clone')
    .extend({
      name: z.string().max(200),
      audio_path: z.string().min(1).max(4096).optional(),
      audio_base64: z.string().min(1).optional(),
      text: z.string().max(2000).nullable().optional(),
      language: z.string().min(1).max(40).optional(),
    })
    .strict(),
  voices_lock: plain('voices_lock')
    .extend({ name: z.string().max(200), sentence: z.string().min(1).max(1000).optional() })
    .strict(),
} as const;

/** Whether `id` may be echoed in an answer (a string of at most 200 characters or an integer). */
export function validRequestId(id: unknown): boolean {
  return RequestIdSchema.safeParse(id).success;
}
