import { describe, expect, it } from 'vitest';
import { deriveStatus, type ServicePhase } from '../../src/main/app/controller.js';
import type { SpeechSnapshot } from '../../src/main/app/speech.js';
import type { AppStatus } from '../../src/shared/bridge.js';
import { controlsFor, formatStats, statusLine } from '../../src/renderer/view.js';

const up: ServicePhase = { phase: 'up' };
const snap = (state: SpeechSnapshot['state'], error: string | null = null): SpeechSnapshot => ({
  state,
  engine: 'qwen3-tts',
  model: 'M',
  error,
  last: null,
});
const extra = { attached: false, progressSeconds: 2.5, last: null };

describe('deriveStatus', () => {
  it.each([
    [
      'starting',
      { phase: 'starting', message: 'Loading the model…' } as ServicePhase,
      null,
      'loading',
      'Loading the model…',
    ],
    [
      'failed: no model',
      { phase: 'failed', code: 'E_NO_MODEL', message: 'no model installed' } as ServicePhase,
      null,
      'no-model',
      'no model installed',
    ],
    [
      'failed: engine',
      { phase: 'failed', code: 'E_ENGINE', message: 'crashed' } as ServicePhase,
      null,
      'error',
      'crashed',
    ],
    ['up, no snapshot yet', up, null, 'loading', 'Connecting to the daemon…'],
    ['daemon loading', up, snap('loading'), 'loading', 'Loading the model…'],
    ['daemon idle', up, snap('idle'), 'ready', null],
    ['daemon speaking', up, snap('speaking'), 'speaking', null],
    ['daemon error', up, snap('error', 'engine exited'), 'error', 'engine exited'],
    ['daemon error: no model', up, snap('error', 'no model installed. Put …'), 'no-model', 'no model installed. Put …'],
  ] as const)('%s', (_n, phase, snapshot, state, message) => {
    const s = deriveStatus(phase, snapshot, extra);
    expect(s.state).toBe(state);
    expect(s.message).toBe(message);
    expect(s.progressSeconds).toBe(state === 'speaking' ? 2.5 : null);
  });
});

const status = (state: AppStatus['state'], extra: Partial<AppStatus> = {}): AppStatus => ({
  state,
  message: null,
  engine: 'tone',
  model: 'tone-1',
  attached: false,
  last: null,
  progressSeconds: null,
  ...extra,
});

describe('window view', () => {
  it.each([
    ['loading', status('loading'), true, null, { speak: false, stop: false, save: false }],
    ['ready, no text', status('ready'), false, null, { speak: false, stop: false, save: false }],
    ['ready, text', status('ready'), true, null, { speak: true, stop: false, save: true }],
    ['speaking (someone else)', status('speaking'), true, null, { speak: true, stop: true, save: true }],
    ['our speech pending', status('speaking'), true, 'speak', { speak: true, stop: true, save: false }],
    ['saving', status('speaking'), true, 'save', { speak: false, stop: true, save: false }],
    ['error', status('error'), true, null, { speak: false, stop: false, save: false }],
    ['no model', status('no-model'), true, null, { speak: false, stop: false, save: false }],
  ] as const)('controls when %s', (_n, s, hasText, busy, expected) => {
    expect(controlsFor(s, hasText, busy)).toEqual(expected);
  });

  it.each([
    [status('ready'), 'tone-1 — Ready to speak.'],
    [status('ready', { attached: true }), 'tone-1 (shared with q3tts serve) — Ready to speak.'],
    [
      status('ready', { last: { timeToFirstAudioMs: 1534, realTimeFactor: 1.234, audioSeconds: 3.21 } }),
      'tone-1 — Last: first audio after 1.53 s · real-time factor 1.23 · 3.2 s of audio',
    ],
    [status('speaking', { progressSeconds: 1.04 }), 'Speaking… 1.0 s of audio so far'],
    [status('loading', { message: 'Restarting the engine (attempt 2)…' }), 'Restarting the engine (attempt 2)…'],
    [status('error', { message: 'boom' }), 'The engine failed: boom'],
    [
      status('no-model', { message: 'Put a model in ~/.local/share/q3tts/models.' }),
      'No model installed. Put a model in ~/.local/share/q3tts/models.',
    ],
  ])('status line %#', (s, line) => expect(statusLine(s, null)).toBe(line));

  it('formats sub-second time to first audio in ms', () => {
    expect(formatStats({ timeToFirstAudioMs: 412.6, realTimeFactor: 0.5, audioSeconds: 1 })).toBe(
      'first audio after 413 ms · real-time factor 0.50 · 1.0 s of audio',
    );
  });
});
