// The model-manager requests on the socket (docs/protocol.md, "Models"): shared so the daemon and every
// front end agree on what is valid.
import { z } from 'zod';
import { PRECISIONS, type Precision } from './engine-options.js';

const requestId = z.union([z.string().max(200), z.number().int()]);
const base = { id: requestId.optional(), v: z.number().int().optional() };
const name = z.string().min(1).max(200);
const precision = z.enum(PRECISIONS).optional();

export const ModelsListRequestSchema = z.object({ action: z.literal('models'), ...base }).strict();

export const ModelsPullRequestSchema = z
  .object({
    action: z.literal('models_pull'),
    ...base,
    name,
    precision,
    /** true: "pull" events (plan, progress, file, retry, resume, checksum, installed) before the answer. */
    events: z.boolean().optional(),
    /** false: answer once the pull has started; follow it with "models" (its "pulls" list). Default true. */
    wait: z.boolean().optional(),
  })
  .strict();

export const ModelsCancelRequestSchema = z
  .object({ action: z.literal('models_cancel'), ...base, name: name.optional(), precision })
  .strict();

export const ModelsUseRequestSchema = z.object({ action: z.literal('models_use'), ...base, name, precision }).strict();

export type ModelsListRequest = z.infer<typeof ModelsListRequestSchema>;
export type ModelsPullRequest = z.infer<typeof ModelsPullRequestSchema>;
export type ModelsCancelRequest = z.infer<typeof ModelsCancelRequestSchema>;
export type ModelsUseRequest = z.infer<typeof ModelsUseRequestSchema>;

/** One running pull, as "models" lists it. */
export interface PullStatus {
  name: string;
  precision: Precision;
  folder: string;
  done_bytes: number;
  total_bytes: number | null;
  speed_bps: number;
  eta_s: number | null;
}
