// Schemas of the requests whose fields matter (docs/protocol.md). Shared by the daemon's handlers,
// the CLI and the app, so every front end and the daemon agree on what is valid.
import { z } from 'zod';
import type { ErrorCode } from './protocol.js';
import { SPEECH_SOURCES } from './sources.js';

export { MAX_TEXT_CHARS } from './limits.js';

export const RequestIdSchema = z.union([z.string().max(200), z.number().int()]);
const requestId = RequestIdSchema;
const optionalText = (max: number) => z.string().max(max).nullable().optional();

export const GenerateRequestSchema = z
  .object({
    action: z.literal('generate'),
    id: requestId.optional(),
    v: z.number().int().optional(),
    text: z.string(),
    language: optionalText(40),
    instruct: optionalText(4000),
    speaker: optionalText(64),
    /** A saved voice (preset) by name: its instruct, language, speaker and seed, unless the request gives them. */
    voice: optionalText(200),
    /** Save to this file instead of playing; its extension picks the format (.wav, .mp3, .ogg/.opus, .flac). Relative paths need "cwd". */
    output: optionalText(4096),
    /** The client's working directory, to resolve a relative "output" or "codes_out". */
    cwd: optionalText(4096),
    /** Also save the generated codec frames as JSON ([[16 ints], ...]). */
    codes_out: optionalText(4096),
    seed: z.number().int().min(0).max(0xffff_ffff).nullable().optional(),
    do_sample: z.boolean().optional(),
    temperature: z.number().gt(0).max(10).optional(),
    top_k: z.number().int().min(0).max(4096).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    repetition_penalty: z.number().gt(0).max(10).optional(),
    max_new_tokens: z.number().int().min(1).max(8192).optional(),
    /** Speaking rate, pitch kept: 0.5 = half as fast, 2 = twice as fast (default 1). */
    speed: z.number().min(0.25).max(4).optional(),
    /** Speak now: cancel what is playing and what is queued. Default: wait your turn. */
    interrupt: z.boolean().optional(),
    /** false: answer as soon as the request is queued instead of when it has finished. */
    wait: z.boolean().optional(),
    /** true: send "queued"/"started"/"progress"/"done" events before the answer. */
    events: z.boolean().optional(),
    /** Speaking rate: 0.5 (half speed) to 2 (double), the pitch kept. */
    rate: z.number().min(0.5).max(2).optional(),
    /** Volume in percent, 0 to 100. */
    volume: z.number().min(0).max(100).optional(),
    /** true: send the audio back as "audio" events (base64 s16le) instead of playing it. */
    stream: z.boolean().optional(),
    /** true: strip Markdown, code blocks and URLs before speaking (clipboard text). */
    clean: z.boolean().optional(),
    /**
     * When speech starts: "smooth" (default) holds a segment back until it will not pause inside,
     * "asap" starts at the first audio (may pause mid-sentence), "sentence" waits for each whole segment.
     */
    start: z.enum(['smooth', 'asap', 'sentence']).optional(),
    /** Which front end asks (recorded in the history): cli, window, hotkey, tray, door, speechd, script. */
    source: z.enum(SPEECH_SOURCES).optional(),
  })
  .strict();
export type GenerateRequest = z.infer<typeof GenerateRequestSchema>;

export const CancelRequestSchema = z
  .object({
    action: z.literal('cancel'),
    id: requestId.optional(),
    v: z.number().int().optional(),
    target: requestId.optional(),
  })
  .strict();
export type CancelRequest = z.infer<typeof CancelRequestSchema>;

export const DecodeRequestSchema = z
  .object({
    action: z.literal('decode'),
    id: requestId.optional(),
    v: z.number().int().optional(),
    frames: z
      .array(z.array(z.number().int().min(0).max(4095)).length(16))
      .min(1)
      .max(100_000),
    output: optionalText(4096),
    cwd: optionalText(4096),
  })
  .strict();
export type DecodeRequest = z.infer<typeof DecodeRequestSchema>;

/** A short, user-facing description of what is wrong with a request. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? `field '${issue.path.join('.')}'` : 'request';
      if (issue.code === 'unrecognized_keys')
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses a request with a schema, or returns the protocol error to answer with. */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  request: unknown,
): { ok: true; value: T } | { ok: false; code: ErrorCode; message: string } {
  const result = schema.safeParse(request);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, code: 'E_INVALID', message: describeIssues(result.error) };
}
