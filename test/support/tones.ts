// Reading a recording of the tone engine's speech: each character is an 80 ms tone of its own pitch
// (src/core/engine/tone.ts), so which sentences were heard, whole or cut, and in what order can be told.
import { toneCodes, toneFrame, TONE_FRAME_SAMPLES } from '../../src/core/engine/tone.js';
import { toInt16 } from './wav.js';

/** Whole 80 ms tones of character `ch` in a recording (a tone cut short by a skip does not count). */
export function tonesOf(recording: Int16Array, ch: string): number {
  const frame = toInt16(toneFrame(toneCodes(ch)[0]![0]!));
  let count = 0;
  for (let i = 0; i + frame.length <= recording.length;) {
    let match = Math.abs(recording[i + 1]! - frame[1]!) <= 1 && Math.abs(recording[i + 7]! - frame[7]!) <= 1;
    for (let j = 0; match && j < frame.length; j++) match = Math.abs(recording[i + j]! - frame[j]!) <= 1;
    if (match) {
      count++;
      i += frame.length;
    } else i++;
  }
  return count;
}

/**
 * The whole tones of `chars` in a recording, in order, as runs: [char, how many in a row]. A run ends where
 * another character starts or where audio was cut (a skip drops the rest of a tone), so a sentence heard
 * twice is two runs.
 */
export function toneRuns(recording: Int16Array, chars: string): Array<[string, number]> {
  const frames = [...chars].map((ch) => [ch, toInt16(toneFrame(toneCodes(ch)[0]![0]!))] as const);
  const runs: Array<[string, number]> = [];
  let end = -1;
  for (let i = 0; i + TONE_FRAME_SAMPLES <= recording.length;) {
    const hit = frames.find(([, f]) => {
      for (let j = 1; j < f.length; j++) if (Math.abs(recording[i + j]! - f[j]!) > 1) return false;
      return true;
    });
    if (!hit) {
      i++;
      continue;
    }
    const last = runs.at(-1);
    if (last && last[0] === hit[0] && end === i) last[1]++;
    else runs.push([hit[0], 1]);
    i += TONE_FRAME_SAMPLES;
    end = i;
  }
  return runs;
}
