// The daemon's request logic, hot-reloaded: edit this file (then `npm run build`), and the next request
// runs the new code without reloading the model. See docs/handlers.md. It holds no state of its own:
// everything lasting (engine, queue, audio) comes in through the HandlerContext.
import path from 'node:path';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import type { AnswerOf, Ok, Queued, RunFigures, Spoken } from '../../shared/actions.js';
import type { Engine, SamplingOptions, SynthesisEvent, SynthesisRequest, SynthesisStats } from '../../shared/engine.js';
import {
  ERROR_CODES,
  errorAnswer,
  type Answer,
  type ErrorAnswer,
  type ErrorCode,
  type Request,
  type RequestId,
} from '../../shared/protocol.js';
import {
  DecodeRequestSchema,
  GenerateRequestSchema,
  MAX_TEXT_CHARS,
  parseRequest,
  type GenerateRequest,
} from '../../shared/requests.js';
import { hasSpeakableText, normalizeText } from '../../shared/text/normalize.js';
import type { AudioSink } from '../audio/sink.js';
import { notReplaceable } from '../atomic-file.js';
import { EventSink } from '../audio/event-sink.js';
import { formatForFile } from '../../shared/audio-formats.js';
import type { AudioShaper, Emit, HandlerContext } from './handlers-api.js';
import type { HistoryRecording } from '../history/store.js';
import type { Lane } from './queue.js';
import { speakScheduled } from '../playback/speak.js';
import { splitSentences } from '../playback/sentences.js';
import { errorMessage } from '../../shared/errors.js';
import { playInto } from '../audio/play.js';

export async function handle(ctx: HandlerContext, request: Request, emit: Emit): Promise<Answer> {
  switch (request.action) {
    case 'generate':
      return generate(ctx, request, emit);
    case 'decode':
      return decode(ctx, request, emit);
    case 'voices':
      return await voices(ctx, request.id);
    default:
      return errorAnswer('E_UNKNOWN_ACTION', `unknown action '${request.action}'`, request.id);
  }
}

async function generate(ctx: HandlerContext, raw: Request, emitAny: Emit): Promise<AnswerOf<'generate'>> {
  const parsed = parseRequest(GenerateRequestSchema, raw);
  if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, raw.id);
  const req = parsed.value;
  const emit: Emit = req.events ? emitAny : () => undefined; // events only for clients that asked
  const fail = (code: ErrorCode, message: string) => errorAnswer(code, message, req.id);

  // What the sentences' offsets point into: the text as sent (or as cleaned, with "clean").
  const source = req.clean ? ctx.speakable(req.text) : req.text;
  const text = normalizeText(source);
  if (!hasSpeakableText(text))
    return fail(
      'E_TEXT_EMPTY',
      'text is empty (nothing to say after removing whitespace, invisible characters and markup)',
    );
  if (text.length > MAX_TEXT_CHARS)
    return fail('E_TEXT_TOO_LONG', `text has ${text.length} characters; the limit is ${MAX_TEXT_CHARS}`);

  let engine: Engine;
  try {
    engine = await ctx.engine();
  } catch (err) {
    return fail(codeOf(err), errorMessage(err));
  }
  const voice = chooseVoice(engine, req);
  if ('error' in voice) return fail('E_INVALID', voice.error);
  // A cloned voice on an engine that knows nothing of cloning (a speech server) would come out in another voice.
  if (ctx.clone && engine.info.supportsClone === undefined)
    return fail('E_ENGINE', `${engine.info.model} cannot speak cloned voices (it needs a local Qwen3-TTS Base model)`);

  const output = resolveOutput(req.output, req.cwd, 'output');
  if ('error' in output) return fail(output.code, output.error);
  if (req.stream && output.path)
    return fail('E_INVALID', `"stream" and "output" do not go together: the audio goes to one place`);
  if (req.stream && req.wait === false)
    return fail('E_INVALID', `"stream" needs the connection to stay until the end ("wait": false cannot stream)`);
  const codesOut = resolveOutput(req.codes_out, req.cwd, 'codes_out');
  if ('error' in codesOut) return fail(codesOut.code, codesOut.error);

  const synthesis: SynthesisRequest = {
    text,
    language: voice.language,
    instruct: voice.instruct,
    speaker: voice.speaker,
    seed: req.seed ?? null,
    sampling: samplingOf(req),
    ...(ctx.clone ? { clone: ctx.clone } : {}),
  };
  let stats: SynthesisStats | undefined;
  const frames: number[][] = [];
  const ids = req.id === undefined ? {} : { id: req.id };
  let reported = 0;
  let seconds = 0;
  const onEvent = (event: SynthesisEvent) => {
    if (event.type === 'audio') {
      seconds += event.samples.length / engine.info.sampleRate;
      if (seconds - reported >= 0.5) {
        reported = seconds;
        emit({ event: 'progress', ...ids, audio_seconds: round(seconds) });
      }
    } else if (event.type === 'codes') {
      frames.push(...event.frames);
    } else if (event.type === 'stats') {
      stats = event.stats;
    }
  };
  let job = 0; // the queue's number for this request, known once it is queued
  const run = async (signal: AbortSignal, lane: Lane) => {
    emit({ event: 'started', ...ids });
    // The engine as it is now, not as it was when the request arrived: one that crashed meanwhile has been
    // (or is being) restarted, and a request that waited in the queue runs on the new one.
    const live = await ctx.engine();
    // A file, a front door's stream (decision 0017) or the client's own ("stream": true) takes the audio as it is
    // made; the speakers are scheduled.
    const ownStream = ctx.stream ?? (req.stream ? streamTo(emitAny, req.id) : undefined);
    const direct = output.path ? () => ctx.openFile(output.path!) : ownStream ? async () => ownStream : undefined;
    const slow = direct ? undefined : ctx.slowNotice(live);
    if (slow) emit({ event: 'slow', ...ids, ...slow });
    // Rate (the reader's control) and speed (the OpenAI field) are one tempo, and with the volume they shape the
    // audio on its way to every sink: speakers, files and streams alike (one Sonic stream, decision 0022).
    const tempo = (req.rate ?? 1) * (req.speed ?? 1);
    const shaper = await ctx.shaper(live.info.sampleRate, tempo, (req.volume ?? 100) / 100);
    // The history keeps the audio as it was heard (after rate and volume); recording never fails the speech.
    const recording = ctx.history?.({
      text,
      instruct: voice.instruct,
      language: voice.language,
      speaker: voice.speaker,
      voice: ctx.savedVoice ?? null,
      seed: req.seed ?? null,
      rate: req.rate ?? 1,
      volume: req.volume ?? 100,
      job: lane.job,
      source: req.source ?? null,
      sampleRate: live.info.sampleRate,
    });
    const shapedEngine: Engine = {
      info: live.info,
      synthesize: (r, s) => recorded(shaped(live.synthesize(r, s), shaper, tempo), recording),
      dispose: () => live.dispose(),
    };
    let spoken = false;
    try {
      if (direct) {
        // a pause holds the speakers and files, not a client's own stream
        const sink = await direct();
        await play(sink, live.info.sampleRate, signal, ctx, !ownStream, async (write) => {
          for await (const event of shapedEngine.synthesize(synthesis, signal)) {
            if (event.type === 'audio') await write(event.samples);
            onEvent(event);
          }
        });
      } else {
        // Speakers: generation runs ahead into a buffer; playback starts when it will not pause mid-segment.
        // Sentence by sentence, so the listener can skip and repeat them (next/back, decision 0030).
        const key = {};
        const sentences = splitSentences(source)
          .map((s) => ({ ...s, spoken: normalizeText(s.text) }))
          .filter((s) => hasSpeakableText(s.spoken));
        try {
          await speakScheduled({
            engine: shapedEngine,
            request: synthesis,
            signal,
            lane,
            policy: req.start ?? ctx.startPolicy(),
            speed: ctx.speed,
            openSink: () => ctx.openPlayback(),
            unpaused: (s) => ctx.unpaused(s),
            onEvent,
            sentences: sentences.map((s) => s.spoken),
            onControls: (controls) => ctx.controls(job, controls),
            onPhase: (phase, segment) => {
              ctx.playbackPhase(key, phase);
              const wait = phase === 'preparing' ? ctx.expectedWait(live) : undefined;
              emit({
                event: phase,
                ...ids,
                segment: segment.index + 1,
                segments: segment.count,
                ...(wait === undefined ? {} : { wait_s: round(wait) }),
              });
              const sentence = sentences[segment.index];
              if (phase === 'speaking' && sentence)
                emit({
                  event: 'sentence',
                  ...ids,
                  job,
                  sentence: segment.index + 1,
                  sentences: sentences.length,
                  start: sentence.start,
                  end: sentence.end,
                  text: clip(sentence.text, 200),
                });
            },
          });
        } finally {
          ctx.playbackPhase(key, 'idle');
        }
      }
      spoken = !signal.aborted;
    } finally {
      shaper.dispose();
      await (spoken ? recording?.finish() : recording?.abort());
    }
    if (codesOut.path) await ctx.writeFileAtomic(codesOut.path, `${JSON.stringify(frames)}\n`);
    if (stats) ctx.recordStats(stats);
  };

  const answer = await enqueue(ctx, req.id, summarize(text), run, req, emit, (n) => (job = n));
  if (answer.status !== 'ok' || 'queued' in answer) return answer; // failed, or "wait": false
  const result: Ok<Spoken> = {
    ...answer,
    ...(output.path ? { output: output.path } : {}),
    ...(codesOut.path ? { codes_out: codesOut.path } : {}),
    ...(stats ? statsFields(stats) : {}),
  };
  if (stats?.truncated) result.warning = 'generation hit the runaway guard (frame budget) and was cut short';
  if (req.instruct && !engine.info.supportsInstruct) result.warning = `this model ignores instruct`;
  // Said once, to the first answer after the change (a speech server failed over to the local model, or came back).
  const notice = engine.takeNotice?.();
  if (notice) result.warning = result.warning ? `${result.warning}; ${notice}` : notice;
  emit({ event: 'done', ...(req.id === undefined ? {} : { id: req.id }), ...(stats ? statsFields(stats) : {}) });
  return result;
}

async function decode(ctx: HandlerContext, raw: Request, _emit: Emit): Promise<AnswerOf<'decode'>> {
  const parsed = parseRequest(DecodeRequestSchema, raw);
  if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, raw.id);
  const req = parsed.value;
  let engine: Engine;
  try {
    engine = await ctx.engine();
  } catch (err) {
    return errorAnswer(codeOf(err), errorMessage(err), req.id);
  }
  if (!engine.decode)
    return errorAnswer('E_ENGINE', `engine '${engine.info.engine}' cannot decode codec frames`, req.id);
  const output = resolveOutput(req.output, req.cwd, 'output');
  if ('error' in output) return errorAnswer(output.code, output.error, req.id);
  const run = async (signal: AbortSignal) => {
    const live = await ctx.engine(); // restarted if it crashed while this waited
    if (!live.decode)
      throw Object.assign(new Error(`engine '${live.info.engine}' cannot decode codec frames`), { code: 'E_ENGINE' });
    const decodeFrames = live.decode.bind(live);
    const sink = output.path ? await ctx.openFile(output.path) : await ctx.openPlayback();
    await play(sink, live.info.sampleRate, signal, ctx, true, async (write) => {
      for await (const samples of decodeFrames(req.frames, signal)) await write(samples);
    });
  };
  const answer = await enqueue(ctx, req.id, `decode ${req.frames.length} frames`, run, { wait: true }, () => undefined);
  return answer.status === 'ok' && output.path ? { ...answer, output: output.path } : answer;
}

async function voices(ctx: HandlerContext, id: RequestId | undefined): Promise<AnswerOf<'voices'>> {
  // An engine whose voices live elsewhere (a speech server) is asked again: it may have changed its model.
  const engine = ctx.engineInfo() ? await ctx.engine() : undefined;
  await engine?.refreshInfo?.();
  const info = ctx.engineInfo();
  if (!info) return errorAnswer('E_ENGINE', 'the engine is not loaded', id);
  return {
    status: 'ok',
    ...(id === undefined ? {} : { id }),
    engine: info.engine,
    model: info.model,
    languages: info.languages,
    speakers: info.speakers,
    supports_instruct: info.supportsInstruct,
    supports_clone: info.supportsClone === true,
  };
}

/** Queues a job and answers when it has run (or at once for wait: false). */
async function enqueue(
  ctx: HandlerContext,
  id: RequestId | undefined,
  summary: string,
  run: (signal: AbortSignal, lane: Lane) => Promise<void>,
  req: { interrupt?: boolean | undefined; wait?: boolean | undefined },
  emit: Emit,
  onJob: (job: number) => void = () => undefined,
): Promise<Ok<Queued> | Ok<Record<never, never>> | ErrorAnswer> {
  if (ctx.queue.length >= MAX_QUEUED && req.interrupt !== true) {
    return errorAnswer('E_BUSY', `the queue is full (${ctx.queue.length} requests); try again later, or cancel`, id);
  }
  const ticket = ctx.queue.enqueue({ requestId: id, summary, run }, { interrupt: req.interrupt === true });
  onJob(ticket.job); // before the job runs (it starts on the next microtask)
  const ids = id === undefined ? {} : { id };
  emit({ event: 'queued', ...ids, job: ticket.job, position: ticket.position });
  if (req.wait === false) {
    ticket.done.catch((err: unknown) => ctx.log(`job ${ticket.job} ended: ${errorMessage(err)}`));
    return { status: 'ok', ...ids, queued: true, job: ticket.job, position: ticket.position };
  }
  try {
    await ticket.done;
    return { status: 'ok', ...ids };
  } catch (err) {
    return errorAnswer(codeOf(err), codeOf(err) === 'E_CANCELLED' ? 'cancelled' : errorMessage(err), id);
  }
}

/**
 * Streams audio into a sink; cancelling silences it at once, a pause holds playback (the engine runs on),
 * and a failure leaves no partial file.
 */
async function play(
  sink: AudioSink,
  sampleRate: number,
  signal: AbortSignal,
  ctx: HandlerContext,
  /** Whether a daemon pause holds this output (files yes; a door's stream no: its client paces it). */
  held: boolean,
  produce: (write: (samples: Float32Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  await playInto(sink, signal, held ? (s) => ctx.unpaused(s) : null, async (write) => {
    await sink.open({ sampleRate, channels: 1 });
    await produce(write);
  });
}

type Voice = { language: string; instruct: string | null; speaker: string | null } | { error: string };

/** Matches language and speaker against what the model offers (case-insensitive), with helpful errors. */
function chooseVoice(engine: Engine, req: GenerateRequest): Voice {
  const { languages, speakers } = engine.info;
  const wanted = (req.language ?? 'auto').trim() || 'auto';
  const language =
    languages.find((l) => l.toLowerCase() === wanted.toLowerCase()) ??
    (wanted.toLowerCase() === 'auto' ? 'auto' : undefined);
  if (!language) return { error: `unknown language '${wanted}' (this model knows: ${languages.join(', ')})` };
  let speaker: string | null = null;
  if (req.speaker) {
    speaker = speakers.find((s) => s.toLowerCase() === req.speaker!.toLowerCase()) ?? null;
    if (!speaker) {
      return {
        error: speakers.length
          ? `unknown speaker '${req.speaker}' (this model has: ${speakers.join(', ')})`
          : `this model has no preset speakers`,
      };
    }
  }
  const instruct = req.instruct?.trim() ? normalizeText(req.instruct) : null;
  return { language, instruct, speaker };
}

function samplingOf(req: GenerateRequest): Partial<SamplingOptions> {
  const s: Partial<SamplingOptions> = {};
  if (req.do_sample !== undefined) s.doSample = req.do_sample;
  if (req.temperature !== undefined) s.temperature = req.temperature;
  if (req.top_k !== undefined) s.topK = req.top_k;
  if (req.top_p !== undefined) s.topP = req.top_p;
  if (req.repetition_penalty !== undefined) s.repetitionPenalty = req.repetition_penalty;
  if (req.max_new_tokens !== undefined) s.maxNewTokens = req.max_new_tokens;
  return s;
}

/** A sink that sends the audio to the requesting client as "audio" events (the "stream" field). */
function streamTo(emit: Emit, id: RequestId | undefined): AudioSink {
  return new EventSink((pcm, sampleRate) =>
    emit({ event: 'audio', ...(id === undefined ? {} : { id }), sample_rate: sampleRate, format: 's16le', pcm }),
  );
}

/**
 * The engine's events with the audio at another rate and volume. The shaper holds a few milliseconds back; they
 * are flushed where a segment (a sentence) ends and at the end, so each segment's audio stays inside it.
 */
async function* shaped(
  events: AsyncIterable<SynthesisEvent>,
  shaper: AudioShaper,
  rate: number,
): AsyncIterable<SynthesisEvent> {
  for await (const event of events) {
    if (event.type === 'audio') {
      const samples = shaper.process(event.samples);
      if (samples.length)
        yield { type: 'audio', samples, ...(event.next === undefined ? {} : { next: Math.round(event.next / rate) }) };
      continue;
    }
    if (event.type === 'segment_end' || event.type === 'stats') {
      const rest = shaper.flush();
      if (rest.length) yield { type: 'audio', samples: rest };
    }
    yield event;
  }
  const rest = shaper.flush();
  if (rest.length) yield { type: 'audio', samples: rest };
}

/** The events unchanged, their audio also fed to the history's recording. */
async function* recorded(
  events: AsyncIterable<SynthesisEvent>,
  recording: HistoryRecording | undefined,
): AsyncIterable<SynthesisEvent> {
  for await (const event of events) {
    if (event.type === 'audio') recording?.write(event.samples);
    yield event;
  }
}

type Resolved = { path?: string } | { error: string; code: ErrorCode };

/**
 * An output path made absolute against the client's directory, checked before any work is queued.
 * Synchronous on purpose: requests must reach the queue in the order they arrived (local stat calls
 * take microseconds).
 */
function resolveOutput(file: string | null | undefined, cwd: string | null | undefined, field: string): Resolved {
  if (file === null || file === undefined) return {};
  if (file === '')
    return { code: 'E_INVALID', error: `${field} is empty: give a file path, or null (or leave it out) to play aloud` };
  if (file.includes('\0')) return { code: 'E_INVALID', error: `${field} contains a NUL character` };
  if (cwd?.includes('\0')) return { code: 'E_INVALID', error: `cwd contains a NUL character` };
  if (field === 'output') {
    const chosen = formatForFile(file);
    if ('error' in chosen) return { code: 'E_INVALID', error: `${field} '${file}': ${chosen.error}` };
  }
  let absolute: string;
  if (path.isAbsolute(file)) absolute = file;
  else if (cwd && path.isAbsolute(cwd)) absolute = path.resolve(cwd, file);
  else if (cwd)
    return {
      code: 'E_INVALID',
      error: `cwd '${cwd}' is not an absolute path (it is used to resolve the relative ${field} '${file}')`,
    };
  else
    return { code: 'E_INVALID', error: `${field} '${file}' is relative: send an absolute path, or the client's "cwd"` };
  const dir = path.dirname(absolute);
  try {
    if (!statSync(dir).isDirectory())
      return { code: 'E_OUTPUT', error: `cannot write ${absolute}: ${dir} is not a directory` };
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the directory does not exist' : 'permission denied';
    return { code: 'E_OUTPUT', error: `cannot write ${absolute}: ${why}` };
  }
  const why = notReplaceable(absolute); // a FIFO, a device, a symlink: never replaced by our file
  if (why) return { code: 'E_OUTPUT', error: `cannot write ${absolute}: ${why}` };
  return { path: absolute };
}

/** The protocol code for an error thrown anywhere below (matched by name: handlers are bundled apart). */
function codeOf(err: unknown): ErrorCode {
  const e = err as { name?: string; code?: unknown };
  if (e?.name === 'AbortError') return 'E_CANCELLED';
  if (e?.name === 'AudioDeviceError') return 'E_AUDIO_DEVICE';
  if (e?.name === 'OutputFileError' || e?.code === 'ENOSPC' || e?.code === 'EACCES' || e?.code === 'EROFS')
    return 'E_OUTPUT';
  if (typeof e?.code === 'string' && e.code in ERROR_CODES) return e.code as ErrorCode; // EngineError and kin
  return 'E_INTERNAL';
}

function statsFields(stats: SynthesisStats): RunFigures {
  return {
    audio_seconds: round(stats.audioSeconds),
    frames: stats.frames,
    ttfa_ms: Math.round(stats.timeToFirstAudioMs),
    rtf: round(stats.realTimeFactor),
    truncated: stats.truncated,
  };
}

function summarize(text: string): string {
  const flat = text.replace(/\s+/g, ' '); // one line: queue listings show one job per line
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** At most `max` code units, never cutting a surrogate pair, with "…" when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}

/** Requests that may wait at once: beyond this, callers are told to come back (bounded memory). */
const MAX_QUEUED = 1000;
