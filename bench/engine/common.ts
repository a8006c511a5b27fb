// What the engine benchmark's jobs share: the texts they speak, run timelines split into frames, spreads,
// peak RSS, and the session options and config fields for the jobs that drive graphs directly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import type { SynthesisRequest } from '../../src/shared/engine.js';
import type { GraphName } from '../../src/core/engine/qwen3/graph-spec.js';
import { sessionOptions } from '../../src/core/engine/qwen3/sessions.js';
import { median, percentile } from '../report.js';

/** The repository (this file is bundled into out/bench/engine.mjs). */
export const root = path.resolve(import.meta.dirname, '../..');
export const FRAME_SECONDS = 0.08;
export const TEXT =
  'The quick brown fox jumps over the lazy dog, and then it runs all the way back home before the rain begins.';
/** The warm-up request: same voice, other words (nothing of the timed text is cached). */
export const WARM_TEXT = 'Seven bright kites drifted above a quiet harbour while gulls argued over bread.';
export const INSTRUCT = 'A warm, calm female voice, speaking clearly at a relaxed pace.';
export const CONTEXTS = [200, 1000] as const;

export const GB = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

export interface RunRecord {
  graph: GraphName;
  start: number;
  ms: number;
}

export type Spread = { median: number; p10: number; p90: number };

interface FrameCost {
  wall: number;
  decode: number;
  cp: number;
  vocoder: number;
  outside: number;
}

/** Splits a run timeline into frames: each frame starts at its first code-predictor call. */
export function frames(runs: readonly RunRecord[]): FrameCost[] {
  const starts: number[] = [];
  runs.forEach((r, i) => {
    if (r.graph === 'code_predictor' && runs[i - 1]?.graph !== 'code_predictor') starts.push(i);
  });
  const out: FrameCost[] = [];
  for (let f = 0; f + 1 < starts.length; f++) {
    const slice = runs.slice(starts[f], starts[f + 1]);
    const sum = (g?: GraphName) => slice.filter((r) => g === undefined || r.graph === g).reduce((s, r) => s + r.ms, 0);
    const wall = runs[starts[f + 1]!]!.start - runs[starts[f]!]!.start;
    out.push({
      wall,
      decode: sum('talker_decode'),
      cp: sum('code_predictor'),
      vocoder: sum('vocoder'),
      outside: wall - sum(),
    });
  }
  return out;
}

export function spread(values: number[]): Spread {
  return { median: median(values), p10: percentile(values, 10), p90: percentile(values, 90) };
}

export function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

export function request(over: Partial<SynthesisRequest>): SynthesisRequest {
  return { text: TEXT, language: 'English', instruct: INSTRUCT, speaker: null, seed: 1, sampling: {}, ...over };
}

/** The engine's session options with ORT's defaults (one thread per core), for jobs that open graphs themselves. */
export function options(): ort.InferenceSession.SessionOptions {
  return sessionOptions({});
}

/** config.json's fields, for jobs that need dimensions without loading the model. */
export function rawConfig(dir: string): Record<string, number> {
  return JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
}
