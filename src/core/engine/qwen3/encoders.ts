// The Base export's two cloning graphs (docs/model-layout.md), beside config.json and fp32 only in the published
// export: speaker_encoder (log-mel → speaker vector) and tokenizer_encoder (24 kHz waveform → codec frames).
// Their contract, opening them checked against it, and one run of each.
import { existsSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { Qwen3Config } from './config.js';
import { cleanOrtMessage, ModelFileError } from './errors.js';
import { checkGraph, type GraphSpec } from './graph-spec.js';
import { MEL } from './mel.js';
import { sessionOptions, type SessionSettings } from './sessions.js';

export type EncoderName = 'speaker_encoder' | 'tokenizer_encoder';
export const ENCODER_NAMES: readonly EncoderName[] = ['speaker_encoder', 'tokenizer_encoder'];

/** Samples per codec frame (the codec encoder's downsampling: 24 kHz → 12.5 Hz). */
export const SAMPLES_PER_CODE_FRAME = 1920;

/** Where a Base model keeps the encoder graphs: the model directory itself, for every precision. */
export function encoderFiles(dir: string): Record<EncoderName, string> {
  return {
    speaker_encoder: path.join(dir, 'speaker_encoder.onnx'),
    tokenizer_encoder: path.join(dir, 'tokenizer_encoder.onnx'),
  };
}

/**
 * Names, dtypes and ranks as wavekat's export_speaker_encoder.py / export_tokenizer_encoder.py write them.
 * speaker_encoder: mels f32 [batch, frames, 128] → speaker_embedding f32 [batch, H] (the vector fills a codec row).
 * tokenizer_encoder: waveform f32 [1, samples] (the published graph is traced at a fixed 240000 = 10 s; a graph
 * with a dynamic axis is taken too) → audio_codes i64 [1, 16, frames].
 */
export function encoderSpecs(c: Qwen3Config): Record<EncoderName, GraphSpec> {
  return {
    speaker_encoder: {
      inputs: [{ name: 'mels', type: 'float32', dims: [null, null, MEL.mels] }],
      outputs: [{ name: 'speaker_embedding', type: 'float32', dims: [null, c.talker.hidden] }],
    },
    tokenizer_encoder: {
      inputs: [{ name: 'waveform', type: 'float32', dims: [1, null] }],
      outputs: [{ name: 'audio_codes', type: 'int64', dims: [1, c.talker.codeGroups, null] }],
    },
  };
}

/** The encoder files a Base model needs, checked before any slow load. */
export function checkEncoderFiles(dir: string): void {
  for (const file of Object.values(encoderFiles(dir))) {
    if (!existsSync(file))
      throw new ModelFileError(
        file,
        `file is missing (a Base model needs it to clone voices; it sits beside config.json)`,
      );
  }
}

interface InputMetadataLike {
  name: string;
  shape?: readonly (number | string)[];
}

/** The two open encoder graphs of a Base model. */
export class CloneEncoders {
  /** Samples the codec encoder takes per run (the published graph: 240000), or null when its input is dynamic. */
  readonly codecWindow: number | null;

  private constructor(
    private readonly sessions: Record<EncoderName, ort.InferenceSession>,
    readonly files: Record<EncoderName, string>,
    private readonly config: Qwen3Config,
  ) {
    const meta = (sessions.tokenizer_encoder as unknown as { inputMetadata?: readonly InputMetadataLike[] })
      .inputMetadata;
    const samples = meta?.find((m) => m.name === 'waveform')?.shape?.[1];
    this.codecWindow = typeof samples === 'number' && samples > 0 ? samples : null;
    if (this.codecWindow !== null && this.codecWindow % SAMPLES_PER_CODE_FRAME !== 0)
      throw new ModelFileError(
        files.tokenizer_encoder,
        `input 'waveform' takes ${this.codecWindow} samples, not a whole number of ${SAMPLES_PER_CODE_FRAME}-sample frames`,
      );
  }

  /** Opens and checks both graphs on `ep`; nothing stays open if one fails. */
  static async open(dir: string, config: Qwen3Config, settings: SessionSettings, ep: string): Promise<CloneEncoders> {
    checkEncoderFiles(dir);
    const files = encoderFiles(dir);
    const specs = encoderSpecs(config);
    const opened: Partial<Record<EncoderName, ort.InferenceSession>> = {};
    try {
      for (const name of ENCODER_NAMES) {
        let session: ort.InferenceSession;
        try {
          // No CPU arena: each graph runs once per clone, and an arena would keep a run's peak (hundreds of MB for a
          // 10 s window) for as long as the daemon lives (bench:clone in BENCHMARKS.md).
          session = await ort.InferenceSession.create(files[name], {
            ...sessionOptions({ ...settings, executionProvider: ep }),
            enableCpuMemArena: false,
          });
        } catch (err) {
          throw new ModelFileError(files[name], `onnxruntime cannot load this graph: ${cleanOrtMessage(err)}`);
        }
        opened[name] = session;
        checkGraph(files[name], session, specs[name]);
      }
      return new CloneEncoders(opened as Record<EncoderName, ort.InferenceSession>, files, config);
    } catch (err) {
      await Promise.all(Object.values(opened).map((s) => s.release().catch(() => undefined)));
      throw err;
    }
  }

  /** The speaker vector of a log-mel ([frames, 128] row-major): row 0 of speaker_embedding. */
  async speakerVector(mel: Float32Array, frames: number): Promise<Float32Array> {
    const H = this.config.talker.hidden;
    const out = await this.run('speaker_encoder', {
      mels: new ort.Tensor('float32', mel, [1, frames, MEL.mels]),
    });
    const t = out.speaker_embedding!;
    if (t.dims.length !== 2 || t.dims[0] !== 1 || t.dims[1] !== H)
      throw new ModelFileError(
        this.files.speaker_encoder,
        `speaker_embedding has shape [${t.dims.join(', ')}], expected [1, ${H}]`,
      );
    return Float32Array.from(t.data as Float32Array);
  }

  /**
   * Codec frames of 24 kHz mono `audio`, as [frames][16]: the clip zero-padded to the graph's window (or to whole
   * frames when the graph is dynamic), then the first ceil(n/1920) frames kept. The caller checks the length.
   */
  async codes(audio: Float32Array): Promise<number[][]> {
    const keep = Math.ceil(audio.length / SAMPLES_PER_CODE_FRAME);
    const length = this.codecWindow ?? keep * SAMPLES_PER_CODE_FRAME;
    if (audio.length > length) throw new RangeError(`${audio.length} samples do not fit the ${length}-sample window`);
    const waveform = new Float32Array(length);
    waveform.set(audio);
    const t = (await this.run('tokenizer_encoder', { waveform: new ort.Tensor('float32', waveform, [1, length]) }))
      .audio_codes!;
    const G = this.config.talker.codeGroups;
    const F = t.dims[2] ?? 0;
    if (t.dims.length !== 3 || t.dims[0] !== 1 || t.dims[1] !== G || F < keep)
      throw new ModelFileError(
        this.files.tokenizer_encoder,
        `audio_codes has shape [${t.dims.join(', ')}] for ${length} samples, expected [1, ${G}, ≥ ${keep}]`,
      );
    const data = t.data as BigInt64Array;
    const vocab = this.config.cp.vocab;
    const frames: number[][] = [];
    for (let f = 0; f < keep; f++) {
      const row: number[] = [];
      for (let g = 0; g < G; g++) {
        const code = Number(data[g * F + f]);
        if (!(code >= 0 && code < vocab))
          throw new ModelFileError(this.files.tokenizer_encoder, `audio_codes holds ${code}, outside 0..${vocab - 1}`);
        row.push(code);
      }
      frames.push(row);
    }
    return frames;
  }

  private async run(name: EncoderName, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    try {
      return await this.sessions[name].run(feeds);
    } catch (err) {
      throw new ModelFileError(this.files[name], `run failed: ${cleanOrtMessage(err)}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}
