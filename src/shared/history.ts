// The history of utterances (docs/protocol.md, "History"): what one entry holds and the requests that read,
// replay, save and clear it. Shared by the daemon (which records it), the CLI and the window.
import { z } from 'zod';
import type { SpeechSource } from './sources.js';

/** How many utterances the history keeps (oldest out first). */
export const HISTORY_MAX_ENTRIES = 50;
/** Default cap on the history's audio, in megabytes (Q3TTS_HISTORY_MB). */
export const HISTORY_DEFAULT_MB = 200;

export { SPEECH_SOURCES, type SpeechSource } from './sources.js';

/** One spoken utterance as `history` lists it. */
export interface HistoryEntry {
  /** Its number: stable, increasing, never reused (q3tts history play N). */
  n: number;
  text: string;
  /** The voice described in words; null = the model's neutral voice. */
  instruct: string | null;
  language: string;
  speaker: string | null;
  /** The saved voice it was spoken with (q3tts -v NAME), or null. */
  voice: string | null;
  seed: number | null;
  rate: number;
  volume: number;
  /** When it was spoken (ISO 8601, UTC). */
  at: string;
  /** Seconds of audio. */
  duration_s: number;
  /** The daemon's job number for it. */
  job: number;
  source: SpeechSource | null;
  /** Whether its audio is still kept (it goes first when the audio cap is reached). */
  audio: boolean;
}

// The request id as requests.ts has it; not imported from there, so the window's bundle stays free of protocol code.
const common = {
  id: z.union([z.string().max(200), z.number().int()]).optional(),
  v: z.number().int().optional(),
};
const entryNumber = z.number().int().min(1);

export const HISTORY_REQUEST_SCHEMAS = {
  history: z.object({ action: z.literal('history'), ...common }).strict(),
  history_replay: z
    .object({
      action: z.literal('history_replay'),
      ...common,
      entry: entryNumber,
      interrupt: z.boolean().optional(),
      wait: z.boolean().optional(),
    })
    .strict(),
  history_save: z
    .object({
      action: z.literal('history_save'),
      ...common,
      entry: entryNumber,
      output: z.string().min(1).max(4096),
      cwd: z.string().max(4096).nullable().optional(),
    })
    .strict(),
  history_clear: z.object({ action: z.literal('history_clear'), ...common, entry: entryNumber.optional() }).strict(),
} as const;

export type HistoryRequest = z.infer<typeof HISTORY_REQUEST_SCHEMAS.history>;
export type HistoryReplayRequest = z.infer<typeof HISTORY_REQUEST_SCHEMAS.history_replay>;
export type HistorySaveRequest = z.infer<typeof HISTORY_REQUEST_SCHEMAS.history_save>;
export type HistoryClearRequest = z.infer<typeof HISTORY_REQUEST_SCHEMAS.history_clear>;

/** "Speak again": the entry's text in the same voice, seed, rate and volume, generated anew (its audio may be gone). */
export function speakAgainRequest(e: HistoryEntry, source: SpeechSource) {
  return {
    action: 'generate' as const,
    text: e.text,
    language: e.language,
    instruct: e.instruct,
    speaker: e.speaker,
    // a cloned voice lives only in its saved voice: without the name it would come back in the model's own voice
    ...(e.voice ? { voice: e.voice } : {}),
    ...(e.seed === null ? {} : { seed: e.seed }),
    rate: e.rate,
    volume: e.volume,
    source,
  };
}
