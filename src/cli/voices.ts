// `q3tts voices list|save|remove`: saved voices, through the daemon (which keeps them in the settings file);
// with no daemon running, the same store is used in this process, so saving a voice never needs a model.
import type { AnswerOf, RequestOf } from '../shared/actions.js';
import type { Request } from '../shared/protocol.js';
import type { VoicePreset } from '../shared/voice-presets.js';
import type { CliOptions } from './args.js';
import { DaemonConnection, DaemonUnreachable } from '../core/client.js';

type PresetAction = 'voices_list' | 'voices_save' | 'voices_remove';

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
    default:
      return { action: 'voices_list' };
  }
}

/** Sends it to the daemon at `socket`, or answers it here when no daemon is running. */
export async function askPresets(
  socket: string,
  request: RequestOf<PresetAction> & { action: PresetAction },
): Promise<AnswerOf<PresetAction>> {
  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.connect(socket);
  } catch (e) {
    if (!(e instanceof DaemonUnreachable)) throw e;
    const { VoicePresetStore } = await import('../core/voices/store.js');
    const { answerPresetAction } = await import('../core/voices/actions.js');
    return answerPresetAction(new VoicePresetStore(), request as Request) as AnswerOf<PresetAction>;
  }
  try {
    return (await connection.request(request)) as AnswerOf<PresetAction>;
  } finally {
    connection.close();
  }
}

/** One line per saved voice: name, language, speaker, seed, description (tabs between; '-' for none). */
export function presetLine(p: VoicePreset): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
  return [p.name, p.language, p.speaker ?? '-', p.seed ?? '-', flat(p.instruct) || '-'].join('\t');
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
  const saved = answer as { voice: VoicePreset; replaced: boolean };
  return `${saved.replaced ? 'replaced' : 'saved'} voice '${saved.voice.name}'`;
}
