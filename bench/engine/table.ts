// The engine benchmark's section of BENCHMARKS.md: one column per model, one row per measure, with its target.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHUNK_PLAN } from '../../src/core/engine/qwen3/vocoder-stream.js';
import { fmt, machine } from '../report.js';
import { CONTEXTS, GB, type Spread } from './common.js';
import type { EngineResult } from './jobs/engine.js';
import { CHUNK_CAPS, type ChunksResult } from './jobs/chunks.js';
import type { DaemonResult } from './jobs/daemon.js';
import type { FloorResult } from './jobs/floor.js';
import type { KvResult } from './jobs/kv.js';
import type { ThreadAbResult } from './jobs/thread-ab.js';

/** Everything measured on one model. */
export interface TargetResult {
  label: string;
  files: number;
  precision: string;
  dir: string;
  engine: EngineResult;
  kv: Record<string, KvResult>;
  floor: FloorResult;
  threadAb: ThreadAbResult;
  daemon: DaemonResult;
}

const pctOf = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
const sp = (s: Spread) => `${fmt(s.median)} (${fmt(s.p10)}–${fmt(s.p90)})`;

export function engineSection(
  results: TargetResult[],
  bandwidth: { gbPerS: number },
  chunks: ChunksResult | undefined,
  nFrames: number,
): string {
  const col = (f: (r: TargetResult) => string) => results.map(f).join(' | ');
  const size = (r: TargetResult, g: string) => statSync(path.join(r.dir, r.precision, `${g}.onnx.data`)).size;
  const bytesPerFrame = (r: TargetResult) => {
    const cfg = JSON.parse(readFileSync(path.join(r.dir, 'config.json'), 'utf8')) as Record<string, number>;
    const lmHeads = 15 * cfg.cp_hidden_size! * cfg.cp_vocab_size! * 4;
    const cpPerCall = size(r, 'code_predictor') - (14 / 15) * lmHeads;
    return (
      size(r, 'talker_decode') +
      15 * cpPerCall +
      (size(r, 'vocoder') * r.engine.typical.vocoderCalls) / r.engine.typical.frames
    );
  };
  const rows = [
    `| measure | ${col((r) => r.label)} | target |`,
    `|---|${col(() => '---')}|---|`,
    `| model files loaded (one precision + embeddings) | ${col((r) => GB(r.files))} | |`,
    `| load time | ${col((r) => `${(r.engine.loadMs / 1000).toFixed(1)} s`)} | |`,
    `| peak RSS (typical request) / vs files | ${col((r) => `${GB(r.engine.peakTypical)} / ${pctOf(r.engine.peakTypical, r.files)}`)} | ≤ 80 % |`,
    `| peak RSS incl. context-1000 runs | ${col((r) => GB(r.engine.peakAll))} | |`,
    `| frame wall, median (p10–p90) ms | ${col((r) => sp(r.engine.typical.perFrame.wall))} | 80 for real time |`,
    `| · talker decode | ${col((r) => sp(r.engine.typical.perFrame.decode))} | |`,
    `| · code predictor, 15 calls | ${col((r) => sp(r.engine.typical.perFrame.cp))} | |`,
    `| · vocoder per frame (streamed chunks, ${DEFAULT_CHUNK_PLAN.leftContextFrames}-frame context) | ${col((r) => fmt(r.engine.typical.vocoderPerFrameMs))} | |`,
    `| · outside ORT (wall − Σ run()) | ${col((r) => sp(r.engine.typical.perFrame.outside))} | |`,
    `| outside ORT, % of frame wall (typical / ctx 200 / ctx 1000), median | ${col((r) => `${r.engine.typical.perFrame.outsidePct.median.toFixed(1)} / ${r.engine.contexts[200]!.outsidePct.median.toFixed(1)} / ${r.engine.contexts[1000]!.outsidePct.median.toFixed(1)} %`)} | ≤ 5 % |`,
    `| prefill of the typical prompt (positions) | ${col((r) => `${fmt(r.engine.typical.prefillMs)} ms (${r.engine.typical.prefillLength})`)} | |`,
    `| prefill of ~1000 positions | ${col((r) => `${fmt(r.engine.contexts[1000]!.prefillMs)} ms`)} | |`,
    `| time to first audio / bound (prefill + first 4 frames + first chunk + 30 ms) | ${col((r) => `${fmt(r.engine.typical.ttfa)} / ${fmt(r.engine.typical.ttfaBound)} ms`)} | ≤ bound |`,
    `| · of which before prefill (tokenizer, text projection, prompt rows) | ${col((r) => `${fmt(r.engine.typical.beforePrefillMs)} ms`)} | |`,
    `| real-time factor (${nFrames} frames) | ${col((r) => r.engine.typical.rtf.toFixed(2))} | |`,
    `| floor loop RTF (published graphs, same frames and chunks) / engine ÷ floor | ${col((r) => `${r.floor.rtf.toFixed(2)} / ${(r.engine.typical.rtf / r.floor.rtf).toFixed(2)}×`)} | ≤ 1.25× |`,
    ...CONTEXTS.map(
      (c) =>
        `| talker_decode step at context ${c}: published graph / as the engine loads it, ms (JS bytes copied per step) | ${col(
          (r) =>
            `${fmt(r.kv[`original_${c}`]!.ms.median)} (${(r.kv[`original_${c}`]!.jsBytesPerStep / 1e6).toFixed(0)} MB) / ${fmt(r.kv[`rewritten_${c}`]!.ms.median)} (${(r.kv[`rewritten_${c}`]!.jsBytesPerStep / 1e6).toFixed(2)} MB)`,
        )} | |`,
    ),
    `| text projection of the typical prompt: batched ORT graph / the per-token JS loop it replaced | ${col((r) => `${fmt(r.engine.typical.textProjection.ortMs)} / ${fmt(r.engine.typical.textProjection.jsLoopMs)} ms (${r.engine.typical.textProjection.ids} ids)`)} | |`,
    `| RTF, vocoder on the engine thread (default) / in a worker thread overlapping generation (opt-in), 2 runs each | ${col((r) => `${r.threadAb.inline.map((x) => x.toFixed(2)).join(', ')} / ${r.threadAb.thread.map((x) => x.toFixed(2)).join(', ')}`)} | |`,
    `| daemon \`status\` round trip while the model speaks (engine in its host process), median / p99 / max of n | ${col((r) => `${fmt(r.daemon.median)} / ${fmt(r.daemon.p99)} / ${fmt(r.daemon.max)} ms (n=${r.daemon.count})`)} | p99 ≤ 50 ms |`,
    `| JS-side KV handling per decode step at context 1000 (append + views), median ms | ${col((r) => fmt(r.engine.contexts[1000]!.kvJsMs.median))} | |`,
    `| weight bytes touched per frame / at ${bandwidth.gbPerS.toFixed(1)} GB/s (one-core copy) | ${col((r) => `${GB(bytesPerFrame(r))} / ${fmt((bytesPerFrame(r) / (bandwidth.gbPerS * 1e9)) * 1000)} ms`)} | |`,
  ];
  return [
    `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Reproduce: \`npm run bench:engine\` (builds the synthetic models once into ${path.join(os.tmpdir(), 'q3tts-bench-models')}; \`-- --sizes 0.6b --precisions int4\` for one).`,
    '',
    `Full-size synthetic models (random weights, the real graphs' operators and sizes; test/synthetic/README.md), loaded exactly as a real model. ${nFrames} frames per run with EOS ignored, after one warm-up request (same voice, other words); ORT's default threads (one per core), the vocoder on the engine thread (the default). Per-frame figures: median (p10–p90) over the frames of one request.`,
    '',
    ...rows,
    '',
    chunks ? chunksLine(chunks) : '',
  ].join('\n');
}

/** The vocoder per frame at each chunk cap, with and without the context each chunk re-decodes. */
function chunksLine(c: ChunksResult): string {
  const cell = (k: string) => fmt(c.perFrameMs[k] ?? NaN);
  return [
    `Streaming vocoder in steady state (every chunk at the cap: one run over cap + context frames per cap frames; measured on the first model), ms per frame of audio, median of the rounds (default cap ${DEFAULT_CHUNK_PLAN.chunkFrames}, grown up to ${DEFAULT_CHUNK_PLAN.bufferedChunkFrames} when audio is buffered):`,
    '',
    `| chunk cap | ${CHUNK_CAPS.join(' | ')} |`,
    `|---|${CHUNK_CAPS.map(() => '---|').join('')}`,
    `| ${c.ctx} frames of context re-decoded per chunk | ${CHUNK_CAPS.map((k) => cell(String(k))).join(' | ')} |`,
    `| no context (the bound a stateful streaming decoder would approach) | ${CHUNK_CAPS.map((k) => cell(`${k}/ctx0`)).join(' | ')} |`,
  ].join('\n');
}
