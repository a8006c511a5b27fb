// What kind of saved voice a preset is, for the window and the tray: designed (a description and a seed),
// cloned (from a reference clip) or locked (a design that read a sentence which became its reference).
// Zod-free, so the window bundles it. The daemon's voices_list answers a clone summary; the settings file
// holds a stored form with more fields (the vector, the codes): only the summary's fields are read here.
import type { VoicePreset } from './voice-presets.js';

/** A saved voice's clone, as voices_list summarises it (docs/protocol.md, voices_clone). */
export interface CloneSummary {
  /** in_context: the reference's codes and transcript in the prompt; x_vector: the speaker vector only. */
  mode?: 'in_context' | 'x_vector';
  model?: string;
  seconds?: number;
  text?: string | null;
  /** Made by voices_lock from the preset's own design. */
  locked?: boolean;
}

export type VoiceKind = 'designed' | 'cloned' | 'locked';

export const VOICE_KIND_LABEL: Record<VoiceKind, string> = {
  designed: 'Designed',
  cloned: 'Cloned',
  locked: 'Locked',
};

export function cloneOf(preset: VoicePreset): CloneSummary | null {
  const clone = (preset as VoicePreset & { clone?: unknown }).clone;
  return clone && typeof clone === 'object' ? (clone as CloneSummary) : null;
}

export function voiceKind(preset: VoicePreset): VoiceKind {
  const clone = cloneOf(preset);
  if (!clone) return 'designed';
  return clone.locked === true ? 'locked' : 'cloned';
}
