// The schemas main validates every renderer payload with, per invocable channel.
import { z } from 'zod';
import { IPC } from './ipc.js';
import { MAX_TEXT_CHARS } from './requests.js';
import { SettingsPatchSchema } from './settings.js';

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
  [IPC.getSettings]: z.undefined(),
  // Only what the user may change, field by field; unknown fields (version) are refused.
  [IPC.setSettings]: SettingsPatchSchema,
} as const;

/**
 * The first message per top-level field, for the window to show next to that field.
 * Issues about the payload as a whole (not an object, unknown fields) go under "".
 */
export function issuesByField(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      fields[''] ??= `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      continue;
    }
    const key = issue.path.length ? String(issue.path[0]) : '';
    fields[key] ??= issue.message;
  }
  return fields;
}
