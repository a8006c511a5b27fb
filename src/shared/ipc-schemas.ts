// The schemas main validates every renderer payload with, per invocable channel.
import { z } from 'zod';
import { IPC } from './ipc.js';
import { MAX_TEXT_CHARS } from './requests.js';

export const SpeakParamsSchema = z
  .object({
    text: z.string().max(MAX_TEXT_CHARS),
    instruct: z.string().max(4000),
    language: z.string().min(1).max(40),
    speaker: z.string().min(1).max(64).nullable(),
  })
  .strict();

/** Payload schema per invocable channel; methods without arguments take none. */
export const IPC_PAYLOADS = {
  [IPC.speak]: SpeakParamsSchema,
  [IPC.saveWav]: SpeakParamsSchema,
  [IPC.stop]: z.undefined(),
  [IPC.getStatus]: z.undefined(),
  [IPC.getVoices]: z.undefined(),
  [IPC.getDefaults]: z.undefined(),
} as const;
