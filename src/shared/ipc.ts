// Renderer ⇄ main IPC: the channel allow-list and the schemas main validates every payload with.
import { z } from 'zod';
import type { Q3ttsBridge } from './bridge.js';
import { MAX_TEXT_CHARS } from './requests.js';

export const IPC = {
  speak: 'q3tts:speak',
  stop: 'q3tts:stop',
  saveWav: 'q3tts:save-wav',
  getStatus: 'q3tts:get-status',
  getVoices: 'q3tts:get-voices',
  getDefaults: 'q3tts:get-defaults',
  /** main → renderer push (webContents.send), not invocable. */
  status: 'q3tts:status',
} as const;

/** Channels the renderer may invoke, one per bridge method (onStatus listens instead). */
export const INVOKE_CHANNELS = {
  speak: IPC.speak,
  stop: IPC.stop,
  saveWav: IPC.saveWav,
  getStatus: IPC.getStatus,
  getVoices: IPC.getVoices,
  getDefaults: IPC.getDefaults,
} as const satisfies Record<Exclude<keyof Q3ttsBridge, 'onStatus'>, string>;

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
