// The talker loop (qwen3-tts.md §6.1) with the code predictor (§6.2), as an async generator of codec frames.
// Cancellation is checked before every graph run, so an abort takes effect between two runs.
import { abortError } from '../errors.js';
import type { Qwen3Model, TalkerStep } from './model.js';
import { prefixKey, type PrefixCache } from './prefix-cache.js';
import type { PrefillPlan, PrefillRow } from './prompt.js';
import { applyRepetitionPenalty, maskTalkerLogits, sampleToken, type Rng, type SamplerParams } from './sampler.js';

export interface GenerationSettings {
  talker: SamplerParams & { repetitionPenalty: number };
  sub: SamplerParams;
  maxNewTokens: number;
  /** Runaway guard: frames allowed for this text; reaching it before EOS sets `truncated`. */
  frameBudget: number;
  /** Frames before EOS may be chosen (HF min_new_tokens; the official config uses 2). */
  minNewTokens?: number;
}

export interface GenerationResult {
  frames: number;
  /** Why generation ended. */
  stop: 'eos' | 'max_new_tokens' | 'budget' | 'running';
  truncated: boolean;
  prefillLength: number;
}

export interface BudgetOptions {
  /** Frames allowed per text token (12.5 frames = 1 s; a token is rarely over 0.5 s of speech). */
  framesPerTextToken?: number;
  /** Frames allowed whatever the text (short texts with long pauses or a slow voice). */
  minFrames?: number;
}

export const DEFAULT_BUDGET: Required<BudgetOptions> = { framesPerTextToken: 15, minFrames: 100 };

/** The runaway guard's frame budget for a text of `textTokens` tokens. */
export function frameBudget(textTokens: number, options: BudgetOptions = {}): number {
  const { framesPerTextToken, minFrames } = { ...DEFAULT_BUDGET, ...options };
  return Math.max(minFrames, Math.ceil(textTokens * framesPerTextToken));
}

/**
 * Embeds the prefill plan into one [P, H] buffer: TP(textId) + the codec term per row (all TPs in one run). A
 * reference frame is embedded as a generated frame is fed back: CE(code 0) + Σ CPE(k, code k+1).
 */
export async function embedPrefill(model: Qwen3Model, rows: readonly PrefillRow[]): Promise<Float32Array> {
  const H = model.config.talker.hidden;
  const textRows = rows.flatMap((row, r) => (row.textId === null ? [] : [r]));
  const projected = await model.textProjection.project(textRows.map((r) => rows[r]!.textId!));
  const out = new Float32Array(rows.length * H);
  textRows.forEach((r, i) => out.set(projected.subarray(i * H, (i + 1) * H), r * H));
  rows.forEach((row, r) => {
    const at = r * H;
    if (row.codecId !== null) model.addCodec(row.codecId, out, at);
    if (row.speakerVector) for (let i = 0; i < H; i++) out[at + i]! += row.speakerVector[i]!;
    if (row.refFrame) model.addFrame(row.refFrame, out, at);
  });
  return out;
}

/**
 * Prefills the talker cache with the prompt. With a prefix cache, a voice seen before restores its prefix and
 * runs only the rows after it; a new voice is prefilled whole, as without the cache, and its prefix kept.
 */
async function prefillPrompt(
  model: Qwen3Model,
  plan: PrefillPlan,
  embeds: Float32Array,
  prefixes: PrefixCache | undefined,
): Promise<TalkerStep> {
  const P = plan.rows.length;
  // At least 2 rows after the prefix: one row runs on another int4 kernel path than several, and a hit must give
  // the same floats as the whole prompt (decision 0018). A streaming prompt can end one row after its voice rows.
  const K = Math.min(plan.voiceRows, P - 2);
  if (!prefixes || !model.multiPosition || K <= 0) return model.prefill(embeds, P);
  const key = prefixKey(plan.rows, K);
  const prefix = prefixes.get(key);
  if (prefix) {
    model.kv.restore(prefix);
    return model.extend(embeds.subarray(K * model.config.talker.hidden), P - K);
  }
  const step = await model.prefill(embeds, P);
  prefixes.set(key, model.kv.snapshot(K));
  return step;
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

/**
 * Generates codec frames ([16] codes each) for one prompt. `result` is filled in as generation runs
 * (a generator's return value is lost in for-await, so the caller passes the object to read afterwards).
 */
export async function* generateFrames(
  model: Qwen3Model,
  plan: PrefillPlan,
  settings: GenerationSettings,
  rng: Rng,
  signal: AbortSignal | undefined,
  result: GenerationResult = { frames: 0, stop: 'running', truncated: false, prefillLength: 0 },
  prefixes?: PrefixCache,
): AsyncGenerator<number[]> {
  const { config } = model;
  const H = config.talker.hidden;
  const groups = config.talker.codeGroups;
  const eos = config.ids.codecEos;
  const P = plan.rows.length;
  result.prefillLength = P;

  const embeds = await embedPrefill(model, plan.rows);
  const text = await model.textProjection.project([...plan.trailing, config.ids.ttsPad]);
  const trailing = plan.trailing.map((_, i) => text.subarray(i * H, (i + 1) * H));
  const pad = text.subarray(plan.trailing.length * H);
  const limit = Math.min(settings.maxNewTokens, settings.frameBudget);

  checkAbort(signal);
  let step = await prefillPrompt(model, plan, embeds, prefixes);
  const history: number[] = [];
  const cpFirst = new Float32Array(2 * H);
  const cpNext = new Float32Array(H);
  const emptyCache = model.emptyCpCache();

  for (let t = 0; t < limit; t++) {
    const logits = step.logits;
    maskTalkerLogits(logits, t, eos, settings.minNewTokens);
    applyRepetitionPenalty(logits, history, settings.talker.repetitionPenalty);
    const code0 = sampleToken(logits, settings.talker, rng);
    if (code0 === eos) {
      result.stop = 'eos';
      return;
    }
    history.push(code0);

    // Code predictor, fresh cache per frame: call 0 sees [hidden_last, CE(code0)], then one row per code.
    const frame = [code0];
    cpFirst.fill(0);
    cpFirst.set(step.hidden.subarray(0, H), 0);
    model.addCodec(code0, cpFirst, H);
    checkAbort(signal);
    let cp = await model.codePredictorStep(cpFirst, 2, 0, emptyCache, emptyCache);
    frame.push(sampleToken(cp.logits, settings.sub, rng));
    for (let g = 1; g < groups - 1; g++) {
      cpNext.fill(0);
      model.addCpCodec(g - 1, frame[g]!, cpNext);
      checkAbort(signal);
      cp = await model.codePredictorStep(cpNext, 1, g, cp.keys, cp.values);
      frame.push(sampleToken(cp.logits, settings.sub, rng));
    }
    result.frames++;
    yield frame;

    if (t === limit - 1) break; // no talker step whose output would never be used

    // Next input: CE(code0) + Σ CPE(k, code_{k+1}) + the text track (trailing text, then tts_pad).
    const x = new Float32Array(H);
    model.addFrame(frame, x);
    const track = trailing[t] ?? pad;
    for (let i = 0; i < H; i++) x[i]! += track[i]!;
    checkAbort(signal);
    step = await model.decodeStep(x, P + t);
  }
  if (limit === settings.maxNewTokens && settings.maxNewTokens <= settings.frameBudget) result.stop = 'max_new_tokens';
  else {
    result.stop = 'budget';
    result.truncated = true;
  }
}
