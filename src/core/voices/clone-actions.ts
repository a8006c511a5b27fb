// voices_clone and voices_lock, answered by the daemon's shell next to the other saved-voice actions (decision
// 0033). The clip is read and checked first, so a bad one is refused at once; the model's part runs as a job of
// the speech queue, so it takes its turn with speech, shows in `queue`, and `cancel` stops it.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import type { OkAnswerOf } from '../../shared/actions.js';
import { SAMPLE_RATE, type Engine, type VoiceClone } from '../../shared/engine.js';
import { errorMessage } from '../../shared/errors.js';
import { errorAnswer, type Answer, type ErrorCode, type Request } from '../../shared/protocol.js';
import { presetNameProblem, presetSummary, type LockedDesign } from '../../shared/voice-presets.js';
import {
  checkReferenceClip,
  MAX_IN_CONTEXT_SECONDS,
  MAX_X_VECTOR_SECONDS,
  readReferenceAudio,
  ReferenceAudioError,
  type ReferenceSource,
} from '../audio/reference.js';
import type { SpeechQueue } from '../daemon/queue.js';
import { FRAMES_PER_SECOND } from '../playback/speed.js';
import { EngineError, isAbortError } from '../engine/errors.js';
import { PULL_DESIGN, speaksDesigns } from '../engine/voice-pair.js';
import { encodeClone } from './clone-data.js';
import { lockSentence } from './lock-sentences.js';
import { VoicePresetError, type VoicePresetStore } from './store.js';

export interface CloneContext {
  store: VoicePresetStore;
  engine(): Promise<Engine>;
  queue: SpeechQueue;
}

/** A clip the user sends as bytes: base64 (a data: URL's payload); whitespace (line breaks) allowed. */
export function decodeBase64Audio(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length === 0)
    throw new ReferenceAudioError("the audio is not base64 (send the file's bytes base64-encoded, or give a path)");
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

/** Reads and checks a reference clip, then makes the clone on the queue. The clip's limit depends on the mode. */
export async function cloneFromClip(
  ctx: Omit<CloneContext, 'store'>,
  source: ReferenceSource,
  text: string | null,
  requestId: Request['id'],
  summary: string,
): Promise<{ clone: VoiceClone; seconds: number }> {
  const audio = await readReferenceAudio(source, {
    maxSeconds: text ? MAX_IN_CONTEXT_SECONDS : MAX_X_VECTOR_SECONDS,
  });
  const clone = await inQueue(ctx, requestId, summary, (engine, signal) => {
    if (!engine.cloneVoice) throw new EngineError('E_ENGINE', `${engine.info.model} cannot clone voices`);
    return engine.cloneVoice(audio.samples, text, signal);
  });
  return { clone, seconds: audio.seconds };
}

export async function answerCloneAction(ctx: CloneContext, request: Request): Promise<Answer> {
  const ids = request.id === undefined ? {} : { id: request.id };
  try {
    const name = String(request.name);
    const problem = presetNameProblem(name);
    if (problem) return errorAnswer('E_INVALID', problem, request.id);
    if (request.action === 'voices_lock') return { status: 'ok', ...ids, ...(await lock(ctx, name, request)) };

    const text = typeof request.text === 'string' && request.text.trim() ? request.text.trim() : null;
    const { audio_path: file, audio_base64: base64 } = request as { audio_path?: string; audio_base64?: string };
    if ((file === undefined) === (base64 === undefined))
      return errorAnswer(
        'E_INVALID',
        'give the reference clip as "audio_path" (a file the daemon reads) or "audio_base64" (its bytes): one of them',
        request.id,
      );
    if (file !== undefined && !path.isAbsolute(file))
      return errorAnswer('E_INVALID', `"audio_path" must be an absolute path (got '${file}')`, request.id);
    const source: ReferenceSource = file !== undefined ? { path: file } : { bytes: decodeBase64Audio(base64!) };
    const made = await cloneFromClip(ctx, source, text, request.id, `clone voice '${name}'`);
    const language = typeof request.language === 'string' ? request.language : 'auto';
    const saved = ctx.store.saveClone({
      name,
      instruct: '',
      language,
      speaker: null,
      seed: null,
      clone: encodeClone(made.clone, made.seconds, null),
    });
    return {
      status: 'ok',
      ...ids,
      voice: presetSummary(saved.voice),
      replaced: saved.replaced,
    } satisfies OkAnswerOf<'voices_clone'>;
  } catch (err) {
    return errorAnswer(codeOf(err), isAbortError(err) ? 'cancelled' : errorMessage(err), request.id);
  }
}

/**
 * The saved designed voice `name` speaks a reference sentence with its description, language and seed (a seed is
 * drawn and kept if it had none, so the lock can be made again); that clip, with the sentence as its transcript,
 * becomes the voice's clone. A voice locked before is locked again from the design it kept.
 */
async function lock(
  ctx: CloneContext,
  name: string,
  request: Request,
): Promise<Omit<OkAnswerOf<'voices_lock'>, 'status' | 'id'>> {
  const preset = ctx.store.get(name);
  const kept = preset.clone?.design ?? null;
  if (preset.clone && !kept)
    throw new VoicePresetError(
      `'${preset.name}' is cloned from a recording: only a voice described in words can be locked (save one with q3tts voices save NAME -i "…")`,
    );
  const sentence =
    typeof request.sentence === 'string' && request.sentence.trim()
      ? request.sentence.trim()
      : lockSentence(kept?.language ?? preset.language);
  const design: LockedDesign = {
    instruct: kept?.instruct ?? preset.instruct,
    language: kept?.language ?? preset.language,
    seed: preset.seed ?? kept?.seed ?? randomInt(0, 0xffff_ffff),
    sentence,
  };
  const { clone, seconds, cut } = await inQueue(
    ctx,
    request.id,
    `lock voice '${preset.name}'`,
    async (engine, signal) => {
      if (!speaksDesigns(engine.info))
        throw new EngineError(
          'E_NO_MODEL',
          `locking '${preset.name}' needs a VoiceDesign model to speak its description (${engine.info.model} cannot): get one with '${PULL_DESIGN}'`,
        );
      // At most a reference's length: a design that runs on (no end of speech) is cut there, not spoken for minutes.
      const maxFrames = Math.floor(MAX_IN_CONTEXT_SECONDS * FRAMES_PER_SECOND);
      const parts: Float32Array[] = [];
      let cut = false;
      for await (const event of engine.synthesize(
        {
          text: sentence,
          language: design.language,
          instruct: design.instruct || null,
          speaker: preset.speaker,
          seed: design.seed,
          sampling: { maxNewTokens: maxFrames },
        },
        signal,
      )) {
        if (event.type === 'audio') parts.push(event.samples);
        if (event.type === 'stats') cut = event.stats.truncated || event.stats.frames >= maxFrames;
      }
      const clip = concat(parts);
      if (engine.info.sampleRate !== SAMPLE_RATE)
        throw new EngineError('E_ENGINE', `${engine.info.model} speaks at ${engine.info.sampleRate} Hz, not 24 kHz`);
      checkReferenceClip(clip, MAX_IN_CONTEXT_SECONDS, `the reference sentence as '${preset.name}' spoke it`);
      if (!engine.cloneVoice) throw new EngineError('E_ENGINE', `${engine.info.model} cannot clone voices`);
      // A clip cut mid-sentence no longer says its transcript: in context it would teach the model a wrong
      // alignment, so only its speaker vector is kept.
      const clone = await engine.cloneVoice(clip, cut ? null : sentence, signal);
      return { clone, seconds: clip.length / SAMPLE_RATE, cut };
    },
  );
  const saved = ctx.store.saveClone({
    name: preset.name,
    instruct: design.instruct,
    language: design.language,
    speaker: preset.speaker,
    seed: design.seed,
    clone: encodeClone(clone, seconds, design),
  });
  const warning = cut
    ? `the sentence ran past ${MAX_IN_CONTEXT_SECONDS} s and was cut, so '${preset.name}' is locked from its speaker vector only (x-vector mode); a shorter sentence (--sentence) keeps the whole clip in context`
    : undefined;
  return { voice: presetSummary(saved.voice), sentence, seed: design.seed, ...(warning ? { warning } : {}) };
}

/** Runs `work` as a job of the speech queue (its turn with the engine; `cancel` aborts it) and returns its result. */
async function inQueue<T>(
  ctx: Pick<CloneContext, 'engine' | 'queue'>,
  requestId: Request['id'],
  summary: string,
  work: (engine: Engine, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  let result: { value: T } | undefined;
  const { done } = ctx.queue.enqueue({
    requestId,
    summary,
    run: async (signal) => {
      result = { value: await work(await ctx.engine(), signal) };
    },
  });
  await done;
  return result!.value;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function codeOf(err: unknown): ErrorCode {
  if (isAbortError(err)) return 'E_CANCELLED';
  if (err instanceof ReferenceAudioError) return 'E_INVALID';
  if (err instanceof EngineError || err instanceof VoicePresetError) return err.code;
  return 'E_INTERNAL';
}
