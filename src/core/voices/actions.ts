// The saved-voice side of the protocol, answered by the daemon's shell (not the hot-reloaded handlers), so
// presets work without a model: voices_list, voices_save, voices_remove, and a generate request's "voice".
import type { AnswerOf } from '../../shared/actions.js';
import { errorAnswer, type Answer, type Request } from '../../shared/protocol.js';
import { errorMessage } from '../../shared/errors.js';
import type { VoiceClone } from '../../shared/engine.js';
import { presetSummary } from '../../shared/voice-presets.js';
import { decodeClone } from './clone-data.js';
import { VoicePresetError, type VoicePresetStore } from './store.js';

/** Answers voices_list, voices_save or voices_remove (the request was checked against its schema already). */
export function answerPresetAction(store: VoicePresetStore, request: Request): Answer {
  const ids = request.id === undefined ? {} : { id: request.id };
  try {
    switch (request.action) {
      case 'voices_list':
        return { status: 'ok', ...ids, voices: store.list().map(presetSummary) } satisfies AnswerOf<'voices_list'>;
      case 'voices_save': {
        const { action: _a, id: _i, v: _v, ...fields } = request;
        return { status: 'ok', ...ids, ...store.save(fields) } satisfies AnswerOf<'voices_save'>;
      }
      case 'voices_remove':
        return {
          status: 'ok',
          ...ids,
          removed: presetSummary(store.remove(String(request.name))),
        } satisfies AnswerOf<'voices_remove'>;
      default:
        return errorAnswer('E_UNKNOWN_ACTION', `unknown action '${request.action}'`, request.id);
    }
  } catch (err) {
    return errorAnswer(err instanceof VoicePresetError ? err.code : 'E_INTERNAL', errorMessage(err), request.id);
  }
}

/** A generate request with its saved voice applied, and the voice's clone when it is a cloned one (decision 0033). */
export interface AppliedPreset {
  request: Request;
  clone?: VoiceClone;
}

/**
 * A generate request with its "voice" (a preset's name) replaced by the preset's fields; the request's own
 * instruct, language, speaker and seed win (so `-v narrator -l German` is the narrator speaking German). A
 * cloned voice's clone comes with it (one read of the settings file for both). Returns the request unchanged
 * without a voice, or the error answer for an unknown one.
 */
export function applyPreset(store: VoicePresetStore, request: Request): AppliedPreset | Answer {
  const { voice, ...rest } = request;
  if (voice === undefined || voice === null) return { request: rest };
  if (typeof voice !== 'string') return errorAnswer('E_INVALID', "field 'voice': expected a string", request.id);
  let preset;
  try {
    preset = store.get(voice);
  } catch (err) {
    return errorAnswer(err instanceof VoicePresetError ? err.code : 'E_INTERNAL', errorMessage(err), request.id);
  }
  const given = (field: string) => rest[field] !== undefined && rest[field] !== null;
  return {
    request: {
      ...rest,
      // a cloned voice's clone wins over its description
      ...(given('instruct') || preset.clone ? {} : { instruct: preset.instruct }),
      ...(given('language') ? {} : { language: preset.language }),
      ...(given('speaker') || preset.speaker === null ? {} : { speaker: preset.speaker }),
      ...(given('seed') || preset.seed === null ? {} : { seed: preset.seed }),
    },
    ...(preset.clone ? { clone: decodeClone(preset.clone) } : {}),
  };
}

export function isAnswer(value: AppliedPreset | Answer): value is Answer {
  return 'status' in value;
}
