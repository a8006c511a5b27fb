// The schemas main validates every renderer payload with, per invocable channel.
import { z } from 'zod';
import { PRECISIONS } from './engine-options.js';
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

// A catalog name, a Hub repository id or an installed folder name: nothing that could be a path or a flag.
const modelName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/, 'not a model name')
  .refine((n) => !n.split('/').some((part) => part === '.' || part === '..'), 'not a model name');
const precision = z.enum(PRECISIONS);

export const PullParamsSchema = z.object({ name: modelName, precision, activate: z.boolean() }).strict();
export const CancelPullSchema = z.object({ name: modelName, precision }).strict();
export const UseModelSchema = z.object({ name: modelName, precision: precision.nullable() }).strict();

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
  [IPC.listModels]: z.undefined(),
  [IPC.pullModel]: PullParamsSchema,
  [IPC.cancelPull]: CancelPullSchema,
  [IPC.useModel]: UseModelSchema,
  [IPC.removeModel]: UseModelSchema,
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
