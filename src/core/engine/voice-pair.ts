// Two Qwen3-TTS models behind one Engine (decision 0033): the active model, and on demand a companion of the
// other kind found among the installed models. Cloned voices are made and spoken by a Base model; designs
// (a voice described in words, and the reference sentence a lock speaks) by a VoiceDesign (or CustomVoice)
// model. A request goes to whichever of the two can do it; the companion is loaded the first time it is needed
// and kept, so both sit in memory from then on (the log says how much the engine process grew).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine, EngineInfo, SynthesisEvent, SynthesisRequest, VoiceClone } from '../../shared/engine.js';
import type { PathEnv } from '../../shared/paths.js';
import { errorMessage } from '../../shared/errors.js';
import { ModelsLayout, modelsRoot } from '../models/layout.js';
import { EngineError } from './errors.js';

export type ModelKind = 'base' | 'voice_design' | 'custom_voice';

/** The catalog names to pull for each missing half (models/catalog.json). */
export const PULL_BASE = 'q3tts models pull qwen3-tts-0.6b-base';
export const PULL_DESIGN = 'q3tts models pull qwen3-tts-1.7b-voicedesign';

/** A model folder's kind, from its config.json (undefined when it has none or cannot be read). */
export function modelKind(dir: string): ModelKind | undefined {
  try {
    const type = (JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { tts_model_type?: unknown })
      .tts_model_type;
    return type === 'base' || type === 'voice_design' || type === 'custom_voice' ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The installed model to pair with `primaryDir`: Q3TTS_CLONE_MODEL_DIR when set (for a Base companion), else the
 * first installed folder of the wanted kind, preferring one of the same precision (the folder's suffix).
 */
export function findCompanion(p: PathEnv, primaryDir: string, want: 'base' | 'design'): string | undefined {
  const fits = (dir: string) => {
    const kind = modelKind(dir);
    return want === 'base' ? kind === 'base' : kind === 'voice_design' || kind === 'custom_voice';
  };
  const override = p.env.Q3TTS_CLONE_MODEL_DIR;
  if (want === 'base' && override) return override; // loading it says what is wrong with it, if anything
  const layout = new ModelsLayout(modelsRoot(p));
  const primary = path.resolve(primaryDir);
  const candidates = layout
    .installedFolders()
    .map((f) => layout.dir(f))
    .filter((d) => path.resolve(d) !== primary && fits(d));
  const suffix = path.basename(primaryDir).split('-').at(-1);
  return candidates.find((d) => path.basename(d).endsWith(`-${suffix}`)) ?? candidates[0];
}

export interface PairOptions {
  /** The active model's kind. */
  kind: ModelKind;
  /** Where the companion of a kind is, looked up when it is first needed (a model pulled meanwhile counts). */
  find(want: 'base' | 'design'): string | undefined;
  load(dir: string): Promise<Engine>;
  log?: (message: string) => void;
}

/** Whether an engine can speak a reference sentence from a design (locking needs it). */
export function speaksDesigns(info: EngineInfo): boolean {
  return info.supportsInstruct || info.engine === 'tone'; // the tone engine stands in for both models in tests
}

export function pairWithCompanion(primary: Engine, options: PairOptions): Engine {
  const log = options.log ?? ((m: string) => console.error(m));
  const primaryIsBase = options.kind === 'base';
  let companion: Promise<Engine> | undefined;
  let companionKind: 'base' | 'design' | undefined;

  /** The model of kind `want`: the active one if it is that kind, else the companion (loaded now if need be). */
  async function engineFor(want: 'base' | 'design', why: string): Promise<Engine> {
    if ((want === 'base') === primaryIsBase) return primary;
    if (!companion) {
      const dir = options.find(want);
      if (!dir) {
        throw new EngineError(
          'E_NO_MODEL',
          want === 'base'
            ? `${why} needs a Qwen3-TTS Base model next to ${primary.info.model}: get one with '${PULL_BASE}', or point Q3TTS_CLONE_MODEL_DIR at one`
            : `${why} needs a VoiceDesign model next to ${primary.info.model}: get one with '${PULL_DESIGN}'`,
        );
      }
      companionKind = want;
      const before = process.memoryUsage().rss;
      const started = performance.now();
      companion = options.load(dir).then(
        (engine) => {
          const mb = (n: number) => Math.round(n / 1048576);
          log(
            `loaded ${engine.info.model} from ${dir} for ${want === 'base' ? 'cloned voices' : 'designs'} in ${Math.round(performance.now() - started)} ms; ` +
              `both models are loaded now (engine process memory ${mb(before)} → ${mb(process.memoryUsage().rss)} MB)`,
          );
          return engine;
        },
        (err: unknown) => {
          companion = undefined; // a later request tries again (the model may have been fixed meanwhile)
          throw err instanceof EngineError
            ? err
            : new EngineError('E_ENGINE', `cannot load the ${want} model in ${dir}: ${errorMessage(err)}`);
        },
      );
    }
    if (companionKind !== want) throw new EngineError('E_ENGINE', `the companion model is not a ${want} model`);
    return companion;
  }

  return {
    get info(): EngineInfo {
      return {
        ...primary.info,
        supportsClone: primaryIsBase || options.find('base') !== undefined,
        supportsInstruct: primary.info.supportsInstruct || (primaryIsBase && options.find('design') !== undefined),
      };
    },
    async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
      // A cloned voice needs the Base model; anything else goes to the design model when the active one is Base.
      const engine = request.clone
        ? await engineFor('base', 'speaking a cloned voice')
        : primaryIsBase && options.find('design')
          ? await engineFor('design', 'a voice described in words')
          : primary;
      yield* engine.synthesize(request, signal);
    },
    async cloneVoice(audio: Float32Array, refText: string | null, signal: AbortSignal): Promise<VoiceClone> {
      const engine = await engineFor('base', 'cloning a voice');
      if (!engine.cloneVoice) throw new EngineError('E_ENGINE', `${engine.info.model} cannot clone voices`);
      return engine.cloneVoice(audio, refText, signal);
    },
    ...(primary.decode ? { decode: (frames, signal) => primary.decode!(frames, signal) } : {}),
    async dispose() {
      const other = await companion?.catch(() => undefined);
      await Promise.all([primary.dispose(), other?.dispose()]);
    },
  } satisfies Engine;
}
