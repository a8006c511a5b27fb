// What the daemon has learned about its own speed: the real-time factor of each model (engine, model,
// precision, provider) and how many codec frames a text token becomes, per language. Both are running
// averages, kept in the data directory so the first request after a restart is already scheduled right.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

/** Codec frames per second of audio (Qwen3-TTS: 12.5 Hz). */
export const FRAMES_PER_SECOND = 12.5;
/** Frames per text token before anything was measured (English speech is ~3.5 tokens/s). */
export const DEFAULT_FRAMES_PER_TOKEN = 3.6;
/** Weight of the newest sample in the running averages: recent runs count most, one outlier does not rule. */
export const SMOOTHING = 0.3;
/** Above this the machine is slower than real time, persistently (the estimate is an average). */
export const SLOW_RTF = 1.05;

export interface SpeedFile {
  rtf: Record<string, { value: number; samples: number }>;
  framesPerToken: Record<string, { value: number; samples: number }>;
}

/** A running average updated with one sample (the first sample is taken as is). */
export function average(
  old: { value: number; samples: number } | undefined,
  sample: number,
): { value: number; samples: number } {
  if (!old) return { value: sample, samples: 1 };
  return { value: old.value + SMOOTHING * (sample - old.value), samples: old.samples + 1 };
}

/** Predicted seconds of speech for a text of `tokens` tokens at `framesPerToken`. */
export function predictSeconds(tokens: number, framesPerToken: number): number {
  return (tokens * framesPerToken) / FRAMES_PER_SECOND;
}

export class SpeedBook {
  private data: SpeedFile = { rtf: {}, framesPerToken: {} };
  private saving: Promise<void> = Promise.resolve();

  /** @param file where the figures are kept (undefined: in memory only). */
  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SpeedFile>;
      this.data = { rtf: clean(parsed.rtf), framesPerToken: clean(parsed.framesPerToken) };
    } catch {
      // missing or damaged: start from the defaults (it is only an estimate)
    }
  }

  /** The running real-time factor for a model, or undefined before its first request. */
  rtf(model: string): number | undefined {
    return this.data.rtf[model]?.value;
  }

  /** Whether the model has been measured slower than real time over more than one segment. */
  slow(model: string): boolean {
    const r = this.data.rtf[model];
    return !!r && r.samples >= 2 && r.value > SLOW_RTF;
  }

  framesPerToken(language: string): number {
    return this.data.framesPerToken[language.toLowerCase()]?.value ?? DEFAULT_FRAMES_PER_TOKEN;
  }

  /** Records one generated segment: its wall time, audio length and text tokens. */
  record(
    model: string,
    language: string,
    sample: { wallSeconds: number; audioSeconds: number; tokens: number | null },
  ): void {
    if (!(sample.audioSeconds > 0) || !(sample.wallSeconds > 0)) return;
    this.data.rtf[model] = average(this.data.rtf[model], sample.wallSeconds / sample.audioSeconds);
    if (sample.tokens) {
      const key = language.toLowerCase();
      this.data.framesPerToken[key] = average(
        this.data.framesPerToken[key],
        (sample.audioSeconds * FRAMES_PER_SECOND) / sample.tokens,
      );
    }
    this.save();
  }

  /** Writes the figures (one write at a time; a failure only loses an estimate). */
  private save(): void {
    const file = this.file;
    if (!file) return;
    const text = `${JSON.stringify(this.data)}\n`;
    this.saving = this.saving.then(async () => {
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, text);
      } catch {
        // read-only data dir: keep the estimate in memory
      }
    });
  }

  /** Resolves when the last change is on disk (tests, shutdown). */
  flushed(): Promise<void> {
    return this.saving;
  }
}

function clean(table: unknown): Record<string, { value: number; samples: number }> {
  const out: Record<string, { value: number; samples: number }> = {};
  if (!table || typeof table !== 'object') return out;
  for (const [key, v] of Object.entries(table as Record<string, unknown>)) {
    const e = v as { value?: unknown; samples?: unknown };
    if (typeof e?.value === 'number' && e.value > 0 && Number.isFinite(e.value) && typeof e.samples === 'number')
      out[key] = { value: e.value, samples: e.samples };
  }
  return out;
}
