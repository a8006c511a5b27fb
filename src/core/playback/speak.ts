// One request spoken through the scheduler: generation and playback run side by side. Generation pours
// into the scheduler and hands the engine on to the next request when done; playback waits its turn at
// the speakers, then plays as the start policy allows. Either side failing stops the other.
import type { Engine, SynthesisEvent, SynthesisRequest } from '../../shared/engine.js';
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
  });

  const generating = (async () => {
    try {
      for await (const event of engine.synthesize(o.request, inner.signal)) {
        if (event.type === 'segment') scheduler.segment(event.index, event.count, event.tokens);
        else if (event.type === 'segment_end') scheduler.segmentEnd();
        else if (event.type === 'audio') scheduler.audio(event.samples, event.next);
        o.onEvent(event);
      }
    } catch (err) {
      inner.abort();
      throw err;
    } finally {
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
    const sink = await o.openSink();
    const silence = () => sink.stop();
    inner.signal.addEventListener('abort', silence, { once: true });
    try {
      await sink.open({ sampleRate: engine.info.sampleRate, channels: 1 });
      await scheduler.run(sink);
      if (inner.signal.aborted) throw abortError();
      await sink.drain();
      await sink.close();
    } catch (err) {
      inner.abort();
      sink.stop();
      await sink.close().catch(() => undefined);
      throw err;
    } finally {
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
