// When a segment's audio may start playing (pure). Playback that starts too early runs dry inside a
// sentence on a machine slower than real time; the rule holds a segment back until what is buffered
// covers what cannot be generated before it is needed. docs/decisions/0014-playback-start-rule.md.

/** smooth: no pauses inside a segment (default); sentence: whole segment first; asap: as soon as audio exists. */
export type StartPolicy = 'smooth' | 'sentence' | 'asap';
export const START_POLICIES: readonly StartPolicy[] = ['smooth', 'sentence', 'asap'];

export interface StartInput {
  policy: StartPolicy;
  /** Seconds of this segment's audio generated so far. */
  generated: number;
  /** Whether the segment is completely generated. */
  ended: boolean;
  /** Predicted length of the segment's audio, seconds (refined by the caller as generation runs). */
  predicted: number;
  /** Seconds of earlier audio still queued in the device ahead of this segment. */
  ahead: number;
  /** Real-time factor: generation wall seconds per second of audio. */
  rtf: number;
  /** Seconds of audio in the engine's next chunk (audio arrives in lumps, each when all of it is made). */
  chunk: number;
}

/** Safety margins: the prediction and the speed are estimates, the device and the event loop jitter. */
export const MARGINS = { length: 0.15, rtf: 0.1, seconds: 0.05 } as const;

/**
 * Whether playback of the segment may start now without running dry before its end. Audio up to position x
 * arrives, at the latest, when the chunk holding x is done: (x + chunk − generated)·rtf from now, and the
 * device needs it at ahead + x. Both sides are linear in x, so two points decide: the next chunk (x = generated)
 * and the last full chunk (x = length − chunk).
 */
export function mayStart(s: StartInput): boolean {
  if (s.ended) return true; // (even empty: nothing is left to wait for)
  if (s.generated <= 0) return false;
  if (s.policy === 'asap') return true;
  if (s.policy === 'sentence') return false;
  // Longer than predicted: how much is left is unknown, so wait for the end, where a pause falls between sentences.
  if (s.generated > s.predicted * (1 + MARGINS.length)) return false;
  const rtf = s.rtf * (1 + MARGINS.rtf);
  const length = Math.max(s.predicted * (1 + MARGINS.length), s.generated + s.chunk);
  const chunk = Math.min(s.chunk, length - s.generated); // the segment's last chunk is what is left
  const next = s.ahead + s.generated >= chunk * rtf + MARGINS.seconds;
  const last = s.ahead + length - chunk >= (length - s.generated) * rtf + MARGINS.seconds;
  return next && last;
}

/**
 * Seconds of generation still needed before a segment of `length` seconds may start (0 on a machine faster
 * than real time): what the user waits before speech, for messages. Solves the "last chunk" condition above.
 */
export function startDelay(length: number, rtf: number, chunk: number): number {
  const r = rtf * (1 + MARGINS.rtf);
  const l = length * (1 + MARGINS.length);
  // next chunk: g ≥ c·r + margin; last chunk: L − c ≥ (L − g)·r + margin ⇔ g ≥ L − (L − c − margin)/r
  const c = Math.min(chunk, l);
  const mustHave = Math.min(l, Math.max(c * r + MARGINS.seconds, l - (l - c - MARGINS.seconds) / r));
  return mustHave * rtf;
}
