// A saved voice's kind (designed / cloned / locked) from the clone summary the daemon lists, and what the
// window makes of it: a cloned voice is never "the voice the description fields hold"; a locked one still is.
import { describe, expect, it } from 'vitest';
import { cloneOf, voiceKind } from '../../src/shared/voice-kind.js';
import type { VoicePreset } from '../../src/shared/voice-presets.js';
import { kindLine, matchingPreset } from '../../src/renderer/voice-panel.js';

const designed: VoicePreset = {
  name: 'Narrator',
  instruct: 'A deep voice.',
  language: 'English',
  speaker: null,
  seed: 3,
};
const summary = {
  mode: 'in_context' as const,
  model: 'qwen3-tts-0.6b-base',
  seconds: 4.2,
  text: 'Hello there.',
  locked: false,
};
const cloned = { name: 'Mine', instruct: '', language: 'English', speaker: null, seed: null, clone: summary };
const locked = { ...designed, name: 'Held', instruct: 'A held voice.', clone: { ...summary, locked: true } };
// the settings file's stored form: the summary's fields and more (vector, codes)
const stored = { ...cloned, name: 'Stored', clone: { ...summary, vector: 'AAAA', codes: 'BBBB' } };

describe('voice kinds', () => {
  it('designed without a clone, locked when the clone says so, cloned otherwise', () => {
    expect(voiceKind(designed)).toBe('designed');
    expect(voiceKind(cloned)).toBe('cloned');
    expect(voiceKind(locked)).toBe('locked');
    expect(voiceKind(stored)).toBe('cloned');
    expect(voiceKind({ ...designed, clone: null } as unknown as VoicePreset)).toBe('designed');
    expect(cloneOf(designed)).toBeNull();
    expect(cloneOf(cloned)).toMatchObject({ mode: 'in_context', seconds: 4.2 });
  });

  it('the kind line says what each kind is, and what Lock would do for a designed one', () => {
    expect(kindLine(designed)).toMatch(/^Designed voice: .*Lock keeps it one speaker \(needs the Base model\)/);
    expect(kindLine(cloned)).toBe('Cloned voice from a 4.2 s clip with its words in context.');
    expect(kindLine({ ...cloned, clone: { ...summary, mode: 'x_vector', text: null } } as VoicePreset)).toBe(
      'Cloned voice from a 4.2 s clip (timbre only).',
    );
    expect(kindLine(locked)).toMatch(/^Locked voice: its design read a 4\.2 s sentence/);
  });

  it('a cloned voice never matches the description fields (an empty description is not it); a locked one does', () => {
    const presets = [cloned, designed, locked];
    expect(matchingPreset(presets, { instruct: '', language: 'English', speaker: null })).toBeUndefined();
    expect(matchingPreset(presets, { instruct: 'A deep voice.', language: 'english', speaker: null })?.name).toBe(
      'Narrator',
    );
    expect(matchingPreset(presets, { instruct: 'A held voice.', language: 'English', speaker: null })?.name).toBe(
      'Held',
    );
  });
});
