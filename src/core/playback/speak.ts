// One request spoken through the scheduler: generation and playback run side by side. Generation pours
// into the scheduler and hands the engine on to the next request when done; playback waits its turn at
// the speakers, then plays as the start policy allows. Either side failing stops the other.
// Given sentences, each is its own engine call, so next/back can skip or repeat one (decision 0030):
// generation follows the playhead, and a sentence skipped mid-generation is made again before the engine
// is handed on, so back always finds it whole.
import type { Engine, SynthesisEvent, SynthesisRequest, SynthesisStats } from '../../shared/engine.js';
import type { AudioSink } from '../audio/sink.js';
import type { Lane } from '../daemon/queue.js';
import { abortError } from '../engine/errors.js';
import { PlaybackScheduler } from './scheduler.js';
import { predictSeconds, type SpeedBook } from './speed.js';
import type { StartPolicy } from './start-rule.js';

export interface SpeakOptions {
  engine: Engine;
  request: SynthesisRequest;
  signal: AbortSignal;
  lane: Lane;
  policy: StartPolicy;
  speed: SpeedBook;
  openSink(): Promise<AudioSink>;
  unpaused(signal: AbortSignal): Promise<void>;
  /** Every engine event, as it is generated (codes, stats, progress). */
  onEvent(event: SynthesisEvent): void;
  onPhase?(phase: 'preparing' | 'speaking', segment: { index: number; count: number }): void;
  /**
   * The text as sentences (each tidied for the engine), spoken one engine call each so the listener can step
   * through them; without it the request is one call and the engine's segments are the steps.
   */
  sentences?: string[];
  /** Receives the job's controls once playback can be steered (next/back), and undefined when it is over. */
  onControls?(controls: SentenceControls | undefined): void;
}

/** next/back on a playing job: each returns where playback goes (0-based; count or more: the job ends). */
export interface SentenceControls {
  next(): number;
  back(): number;
  /** The sentence playing (or about to) and how many there are. */
  position(): { index: number; count: number };
}

/** The key the speed book files a model's real-time factor under. */
export const speedKey = (engine: Engine) => `${engine.info.engine} ${engine.info.model}`;

export async function speakScheduled(o: SpeakOptions): Promise<void> {
  const { engine, signal } = o;
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  const model = speedKey(engine);
  const language = o.request.language;
  const perToken = o.speed.framesPerToken(language);
  // Engines that do not frame segments: one segment, its length guessed from the characters (~14 a second).
  const fallback = [...o.request.text].length / 14;
  const scheduler = new PlaybackScheduler({
    sampleRate: engine.info.sampleRate,
    policy: o.policy,
    signal: inner.signal,
    unpaused: o.unpaused,
    priorRtf: o.speed.rtf(model),
    predict: (tokens) => (tokens === null ? fallback : predictSeconds(tokens, perToken)),
    record: (t) => o.speed.record(model, language, t),
    ...(o.onPhase ? { onPhase: o.onPhase } : {}),
    onJump: (index) => onJump(index),
    followAudible: o.sentences !== undefined,
    canRegenerate: () => !generationOver,
    reopen: async () => {
      const sink = await o.openSink();
      await sink.open({ sampleRate: engine.info.sampleRate, channels: 1 });
      return sink;
    },
  });

  const sentences = o.sentences;
  let generationOver = false;
  /** The sentence call running, so a skip can stop it without stopping the request. */
  let current: { index: number; controller: AbortController } | undefined;
  // The sentence to make next: the first not whole at or after the playhead, then any skipped behind it.
  const wanted = (): number | undefined => {
    if (!sentences) return undefined;
    const head = scheduler.playhead;
    if (head >= sentences.length) return undefined; // next on the last sentence: the job is over
    for (let k = head; k < sentences.length; k++) if (!scheduler.complete(k)) return k;
    for (let k = 0; k < head; k++) if (!scheduler.complete(k)) return k;
    return undefined;
  };
  const onJump = (index: number) => {
    // The call running is now of no use to the listener (skipped past, or they went back to one not made): stop it.
    const running = current;
    if (running && !running.controller.signal.aborted && (running.index < index || !scheduler.complete(index)))
      running.controller.abort();
  };

  const generateAll = async () => {
    if (!sentences) {
      for await (const event of engine.synthesize(o.request, inner.signal)) {
        if (event.type === 'segment') scheduler.segment(event.index, event.count, event.tokens);
        else if (event.type === 'segment_end') scheduler.segmentEnd();
        else if (event.type === 'audio') scheduler.audio(event.samples, event.next);
        o.onEvent(event);
      }
      return;
    }
    const stats: SynthesisStats[] = [];
    const codes: number[][][] = []; // per sentence, the last whole generation of it
    const started = performance.now();
    for (let k = wanted(); k !== undefined && !inner.signal.aborted; k = wanted()) {
      const controller = new AbortController();
      const stopCall = () => controller.abort();
      inner.signal.addEventListener('abort', stopCall, { once: true });
      current = { index: k, controller };
      let tokens: number | null = null;
      let opened = false;
      const frames: number[][] = [];
      const open = () => {
        if (!opened) scheduler.segment(k!, sentences.length, tokens);
        opened = true;
      };
      try {
        const request = { ...o.request, text: sentences[k]!, seed: sentenceSeed(o.request.seed, k) };
        for await (const event of engine.synthesize(request, controller.signal)) {
          if (event.type === 'segment') {
            if (event.index === 0) tokens = event.tokens;
            open();
          } else if (event.type === 'audio') {
            open();
            scheduler.audio(event.samples, event.next);
          }
          if (event.type === 'stats') stats.push(event.stats);
          else if (event.type === 'codes') frames.push(...event.frames);
          else if (event.type === 'audio') o.onEvent(event);
        }
        open();
        scheduler.segmentEnd();
        codes[k] = frames;
      } catch (err) {
        if (inner.signal.aborted || !controller.signal.aborted) throw err;
        scheduler.segmentAbandoned(); // skipped by the listener: the request goes on
      } finally {
        inner.signal.removeEventListener('abort', stopCall);
        current = undefined;
      }
    }
    const made = codes.flatMap((c) => c ?? []);
    if (made.length) o.onEvent({ type: 'codes', frames: made });
    if (stats.length) o.onEvent({ type: 'stats', stats: sumStats(stats, performance.now() - started) });
  };

  const generating = (async () => {
    try {
      await generateAll();
    } catch (err) {
      inner.abort();
      throw err;
    } finally {
      generationOver = true;
      scheduler.end();
      o.lane.generated();
    }
  })();

  const playing = (async () => {
    await Promise.race([
      o.lane.turn,
      new Promise<void>((resolve) => inner.signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    if (inner.signal.aborted) return;
    let sink = await o.openSink();
    const silence = () => sink.stop();
    inner.signal.addEventListener('abort', silence, { once: true });
    o.onControls?.({
      next: () => scheduler.next(),
      back: () => scheduler.back(),
      position: () => ({ index: scheduler.playhead, count: scheduler.segmentCount }),
    });
    try {
      await sink.open({ sampleRate: engine.info.sampleRate, channels: 1 });
      sink = await scheduler.run(sink);
      if (inner.signal.aborted) throw abortError();
      await sink.drain();
      await sink.close();
    } catch (err) {
      inner.abort();
      sink.stop();
      await sink.close().catch(() => undefined);
      throw err;
    } finally {
      o.onControls?.(undefined);
      inner.signal.removeEventListener('abort', silence);
    }
  })();

  try {
    const [gen, play] = await Promise.allSettled([generating, playing]);
    if (signal.aborted) throw abortError();
    // the cause, not the abort it led to on the other side
    const failures = [gen, play].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const cause = failures.find((e) => (e as { name?: string })?.name !== 'AbortError') ?? failures[0];
    if (cause !== undefined) throw cause;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** Each sentence's seed, from the request's: the same seed and text give the same audio, sentence by sentence. */
export function sentenceSeed(seed: number | null, index: number): number | null {
  return seed === null ? null : (seed + Math.imul(index, 0x9e3779b1)) >>> 0;
}

/** One request's figures from its sentences' (first audio from the first; the rest summed). */
function sumStats(parts: SynthesisStats[], wallMs: number): SynthesisStats {
  const audioSeconds = parts.reduce((n, p) => n + p.audioSeconds, 0);
  return {
    timeToFirstAudioMs: parts[0]!.timeToFirstAudioMs,
    realTimeFactor: audioSeconds > 0 ? wallMs / 1000 / audioSeconds : 0,
    audioSeconds,
    frames: parts.reduce((n, p) => n + p.frames, 0),
    truncated: parts.some((p) => p.truncated),
  };
}
