// Chunks past the plan's largest once the listener has audio in hand (issue 12). A chunk of C frames arrives in
// one lump, C·0.08 s of audio after the chunk before it at the earliest — so it may only be as large as the
// audio already handed out covers, with margins. Bigger chunks re-decode the same 25 frames of context for more
// new frames, so the vocoder costs less per frame (BENCHMARKS.md, "Engine speed, issue 12").
import { SAMPLE_RATE } from '../../../shared/engine.js';
import { SAMPLES_PER_FRAME } from './model.js';

const FRAME_SECONDS = SAMPLES_PER_FRAME / SAMPLE_RATE;

/** Margins on the estimate: the speed so far may slow down (other work on the machine), the clock jitters. */
export const GROWTH_MARGINS = { rtf: 0.5, seconds: 0.5 } as const;

export interface StreamProgress {
  /** Seconds of audio handed out so far in this request. */
  producedSeconds: number;
  /** Seconds since the first audio was handed out: the most any listener can have played of it. */
  sinceFirstAudio: number;
  /** Seconds since the request began (prefill included). */
  sinceStart: number;
}

/**
 * Seconds of audio a listener has at least still to hear: produced minus all that real-time playback
 * could have consumed since the first chunk. Pauses, a queue ahead or a held start only add to it.
 */
export function bufferedAtLeast(p: StreamProgress): number {
  return p.producedSeconds - p.sinceFirstAudio;
}

/**
 * The next chunk's size: `planned` (the plan's) unless the plan has reached its largest chunk `cap`; then the
 * largest of cap·2ᵏ ≤ `max` whose making, at this request's speed so far (wall per audio second, prefill
 * included: pessimistic), plus margins, fits in the audio the listener still has. So it grows while the stream
 * runs ahead and falls back to `cap` when the lead runs low; below real time it never grows.
 */
export function grownChunkFrames(planned: number, cap: number, max: number, p: StreamProgress): number {
  if (planned < cap || max <= cap || p.producedSeconds <= 0) return planned;
  const rtf = (p.sinceStart / p.producedSeconds) * (1 + GROWTH_MARGINS.rtf);
  const buffered = bufferedAtLeast(p);
  let size = planned;
  for (let c = cap * 2; c <= max; c *= 2) {
    if (c * FRAME_SECONDS * rtf + GROWTH_MARGINS.seconds <= buffered) size = c;
    else break;
  }
  return size;
}
