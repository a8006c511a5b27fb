// `q3tts voices list|save|remove|clone|lock`: saved voices, through the daemon (which keeps them in the settings
// file); with no daemon running, the same store is used in this process, so saving a voice never needs a model
// (cloning and locking do: then the model is loaded here, as for speaking without a daemon).
import path from 'node:path';
import type { AnswerOf, RequestOf } from '../shared/actions.js';
import type { Request } from '../shared/protocol.js';
import { presetKind, type VoicePreset } from '../shared/voice-presets.js';
import type { CliOptions } from './args.js';
import { DaemonConnection, DaemonUnreachable } from '../core/client.js';
import { currentPathEnv } from '../core/paths.js';

type PresetAction = 'voices_list' | 'voices_save' | 'voices_remove' | 'voices_clone' | 'voices_lock';

/** The request a `q3tts voices …` command sends. */
export function presetRequest(opts: CliOptions): RequestOf<PresetAction> & { action: PresetAction } {
  const name = opts.args[0]!;
  switch (opts.voicesCommand) {
    case 'save':
      return {
        action: 'voices_save',
        name,
        instruct: opts.instruct ?? '',
        ...(opts.language !== undefined ? { language: opts.language } : {}),
        ...(opts.speaker !== undefined ? { speaker: opts.speaker } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      };
    case 'remove':
      return { action: 'voices_remove', name };
    case 'clone':
      return {
        action: 'voices_clone',
        name,
        audio_path: path.resolve(opts.from!), // the daemon's working directory is not ours
        ...(opts.text !== undefined ? { text: opts.text } : {}),
        ...(opts.language !== undefined ? { language: opts.language } : {}),
      };
    case 'lock':
      return { action: 'voices_lock', name, ...(opts.sentence !== undefined ? { sentence: opts.sentence } : {}) };
    default:
      return { action: 'voices_list' };
  }
}

/** Sends it to the daemon at `socket`, or answers it here when no daemon is running. */
export async function askPresets(
  socket: string,
  request: RequestOf<PresetAction> & { action: PresetAction },
  opts?: CliOptions,
): Promise<AnswerOf<PresetAction>> {
  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.connect(socket);
  } catch (e) {
    if (!(e instanceof DaemonUnreachable)) throw e;
    if (request.action === 'voices_clone' || request.action === 'voices_lock')
      return inProcess(request as Request, opts);
    const { VoicePresetStore } = await import('../core/voices/store.js');
    const { answerPresetAction } = await import('../core/voices/actions.js');
    return answerPresetAction(new VoicePresetStore(), request as Request) as AnswerOf<PresetAction>;
  }
  if (request.action !== 'voices_clone' && request.action !== 'voices_lock') {
    try {
      return (await connection.request(request)) as AnswerOf<PresetAction>;
    } finally {
      connection.close();
    }
  }
  // Cloning takes its turn in the daemon's queue and a while: Ctrl-C cancels it there, not only here.
  const id = `cli-${process.pid}-${request.action}`;
  const onSigint = () => void connection.request({ action: 'cancel', target: id }).catch(() => undefined);
  process.on('SIGINT', onSigint);
  try {
    return (await connection.request({ ...request, id })) as AnswerOf<PresetAction>;
  } finally {
    process.off('SIGINT', onSigint);
    connection.close();
  }
}

/** Cloning and locking with no daemon: the model is loaded in this process, the same core answers. */
async function inProcess(request: Request, opts: CliOptions | undefined): Promise<AnswerOf<PresetAction>> {
  const [{ createCore }, { resolveEngineConfig }, { errorAnswer }, { errorMessage }] = await Promise.all([
    import('../core/daemon/daemon.js'),
    import('../core/engine/config.js'),
    import('../shared/protocol.js'),
    import('../shared/errors.js'),
  ]);
  let engine;
  try {
    engine = resolveEngineConfig(currentPathEnv(), {
      engine: opts?.engine,
      modelDir: opts?.model,
      executionProvider: opts?.provider,
      precision: opts?.precision,
      threads: opts?.threads,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code === 'E_NO_MODEL' ? 'E_NO_MODEL' : 'E_ENGINE';
    return errorAnswer(code, errorMessage(e)) as AnswerOf<PresetAction>;
  }
  const log = opts?.quiet ? () => undefined : (m: string) => process.stderr.write(`${m}\n`);
  log(`q3tts: no daemon running: loading the model in this process (slower; 'q3tts serve' keeps it loaded)`);
  const core = createCore({ engine, inProcessEngine: true, log });
  const onSigint = () => core.queue.cancel();
  process.on('SIGINT', onSigint);
  try {
    return (await core.request(request)) as AnswerOf<PresetAction>;
  } finally {
    process.off('SIGINT', onSigint);
    await core.close();
  }
}

/**
 * One line per saved voice: name, kind (designed, cloned, locked), language, speaker, seed, and the voice:
 * its description, or for a clone the clip's length and transcript (tabs between; '-' for none).
 */
export function presetLine(p: VoicePreset): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  const kind = presetKind(p);
  const voice =
    kind === 'cloned' && p.clone
      ? `${p.clone.seconds.toFixed(1)} s clip${p.clone.text ? `: "${flat(p.clone.text)}"` : ' (x-vector only)'}`
      : flat(p.instruct);
  return [p.name, kind, p.language, p.speaker ?? '-', p.seed ?? '-', voice || '-'].join('\t');
}

/** What a person reads after each command. */
export function describePresets(opts: CliOptions, answer: Record<string, unknown>): string {
  if (opts.quiet && opts.voicesCommand !== 'list' && opts.voicesCommand !== undefined) return '';
  if ('voices' in answer) {
    const voices = answer.voices as VoicePreset[];
    return voices.length
      ? voices.map(presetLine).join('\n')
      : 'no saved voices (save one: q3tts voices save NAME -i "…")';
  }
  if ('removed' in answer) return `removed voice '${(answer.removed as VoicePreset).name}'`;
  if (opts.voicesCommand === 'lock') {
    const locked = answer as { voice: VoicePreset; sentence: string; seed: number; warning?: string };
    const said = `locked voice '${locked.voice.name}': it said "${locked.sentence}" (seed ${locked.seed}), and speaks every sentence from that clip now`;
    return locked.warning ? `${said}\nwarning: ${locked.warning}` : said;
  }
  if (opts.voicesCommand === 'clone') {
    const cloned = answer as { voice: VoicePreset; replaced: boolean };
    const c = cloned.voice.clone!;
    return `${cloned.replaced ? 'replaced' : 'saved'} voice '${cloned.voice.name}', cloned from a ${c.seconds.toFixed(1)} s clip (${c.mode === 'in_context' ? 'with its transcript in context' : 'x-vector only: add --text "what it says" for a closer match'})`;
  }
  const saved = answer as { voice: VoicePreset; replaced: boolean };
  return `${saved.replaced ? 'replaced' : 'saved'} voice '${saved.voice.name}'`;
}
