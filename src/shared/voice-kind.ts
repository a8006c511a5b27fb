// What kind of saved voice a preset is, as the window and the tray label it: designed (a description and a
// seed), cloned (from a reference clip) or locked (a design that read a sentence which became its reference).
// The kind itself is presetKind (voice-presets.ts, which the daemon uses too); this adds the labels.
import { presetKind, type VoiceCloneSummary, type VoicePreset } from './voice-presets.js';

export type VoiceKind = ReturnType<typeof presetKind>;

export const VOICE_KIND_LABEL: Record<VoiceKind, string> = {
  designed: 'Designed',
  cloned: 'Cloned',
  locked: 'Locked',
};

/** The preset's clone (the summary voices_list answers, or the stored form), or null. */
export function cloneOf(preset: VoicePreset): VoiceCloneSummary | null {
  return preset.clone ?? null;
}

export const voiceKind = presetKind;
