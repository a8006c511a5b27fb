import { describe, expect, it } from 'vitest';
import type { AppState, AppStatus } from '../../../src/shared/bridge.js';
import { buildTrayModel, type TrayItem } from '../../../src/main/app/tray-model.js';

const status = (state: AppState, extra: Partial<AppStatus> = {}): AppStatus => ({
  state,
  message: null,
  engine: 'qwen3-tts',
  model: 'Qwen3-TTS-1.7B-VoiceDesign (int4)',
  attached: false,
  last: null,
  progressSeconds: null,
  ...extra,
});
const ctx = { hotkeyLine: 'Hotkey: Ctrl+Alt+S', voice: 'a calm, low voice' };
const enabled = (items: TrayItem[]) =>
  Object.fromEntries(items.flatMap((i) => (i.kind === 'action' ? [[i.action, i.enabled]] : [])));
const labels = (items: TrayItem[]) => items.flatMap((i) => (i.kind === 'separator' ? [] : [i.label]));

describe('tray model', () => {
  it('names the speech server of the remote engine, and says when the local model stands in for it', () => {
    const remote = { url: 'https://tts.lan:8091', using: 'server' as const, failover: true };
    const up = buildTrayModel(status('ready', { remote }), ctx);
    expect(labels(up.items)).toContain('Speech server: https://tts.lan:8091');
    expect(up.tooltip).toBe('q3tts — Ready');
    const away = buildTrayModel(status('ready', { remote: { ...remote, using: 'local', error: 'HTTP 503' } }), ctx);
    expect(labels(away.items)).toContain('Speech server: https://tts.lan:8091 (away: the local model speaks)');
    expect(away.tooltip).toBe('q3tts — Ready\nSpeech server away: the local model speaks');
    expect(labels(buildTrayModel(status('ready'), ctx).items).some((l) => l.startsWith('Speech server'))).toBe(false);
  });

  it('lists the open front doors and their addresses, and nothing when none is open', () => {
    const doors = [
      { door: 'openai-http' as const, address: 'http://127.0.0.1:8880', auth: false },
      { door: 'wyoming' as const, address: 'tcp://0.0.0.0:10200', auth: false },
      { door: 'openai-http' as const, address: 'http://0.0.0.0:8881', auth: true },
    ];
    const shown = labels(buildTrayModel(status('ready', { doors }), ctx).items);
    expect(shown).toEqual(
      expect.arrayContaining([
        'OpenAI HTTP API: http://127.0.0.1:8880',
        'Wyoming: tcp://0.0.0.0:10200',
        'OpenAI HTTP API: http://0.0.0.0:8881 (token)',
      ]),
    );
    expect(labels(buildTrayModel(status('ready'), ctx).items).some((l) => /HTTP API|Wyoming/.test(l))).toBe(false);
  });

  it('offers Pause, Next and Back while speaking only, and Resume in place of Pause while paused', () => {
    for (const state of ['loading', 'ready', 'error', 'no-model'] as const)
      expect(enabled(buildTrayModel(status(state), ctx).items)).toMatchObject({
        pause: false,
        next: false,
        back: false,
      });
    const speaking = buildTrayModel(status('speaking'), ctx).items;
    expect(enabled(speaking)).toMatchObject({ pause: true, next: true, back: true });
    expect(enabled(speaking).resume).toBeUndefined();
    const paused = buildTrayModel(status('speaking', { paused: true }), ctx).items;
    expect(enabled(paused)).toMatchObject({ resume: true, next: true, back: true });
    expect(enabled(paused).pause).toBeUndefined();
    expect(labels(paused)).toContain('Resume');
  });

  it('lists every menu entry in order', () => {
    const m = buildTrayModel(status('ready'), ctx);
    expect(labels(m.items)).toEqual([
      'q3tts — Ready',
      'Speak clipboard',
      'Stop speaking',
      'Pause',
      'Next sentence',
      'Previous sentence',
      'Open window',
      'Reload handlers',
      'Reload model',
      'Model: Qwen3-TTS-1.7B-VoiceDesign (int4)',
      'Voice: a calm, low voice',
      'Hotkey: Ctrl+Alt+S',
      'Settings…',
      'Quit',
    ]);
  });

  // [state, message, icon, tooltip, speak, stop, reloadHandlers, reloadModel]
  const rows: Array<[AppState, string | null, string, string, boolean, boolean, boolean, boolean]> = [
    ['loading', 'Loading the model…', 'tray-loading', 'q3tts — Loading the model…', false, false, false, false],
    ['ready', null, 'tray-ready', 'q3tts — Ready', true, false, true, true],
    ['speaking', null, 'tray-speaking', 'q3tts — Speaking…', true, true, true, true],
    [
      'error',
      'engine process exited (signal SIGSEGV)',
      'tray-error',
      'q3tts — Error: engine process exited (signal SIGSEGV)',
      false,
      false,
      false,
      true,
    ],
    [
      'no-model',
      'no model installed',
      'tray-no-model',
      'q3tts — No model installed: no model installed',
      false,
      false,
      false,
      true,
    ],
  ];
  it.each(rows)('%s', (state, message, icon, tooltip, speak, stop, handlers, model) => {
    const m = buildTrayModel(status(state, { message }), ctx);
    expect(m.icon).toBe(icon);
    expect(m.tooltip).toBe(tooltip);
    expect(enabled(m.items)).toEqual({
      'speak-clipboard': speak,
      stop,
      'open-window': true,
      'reload-handlers': handlers,
      'reload-model': model,
      settings: true,
      quit: true,
      // playback controls: while something speaks
      pause: stop,
      next: stop,
      back: stop,
      // "Download a model…" exists only while nothing is installed.
      ...(state === 'no-model' ? { models: true } : {}),
    });
  });

  it('offers "Download a model…" first when no model is installed, and nowhere else', () => {
    const m = buildTrayModel(status('no-model', { model: null, message: 'no model installed' }), ctx);
    const actions = m.items.filter((i) => i.kind === 'action');
    expect(actions[0]).toEqual({ kind: 'action', action: 'models', label: 'Download a model…', enabled: true });
    for (const state of ['loading', 'ready', 'speaking', 'error'] as const) {
      expect(buildTrayModel(status(state), ctx).items.some((i) => i.kind === 'action' && i.action === 'models')).toBe(
        false,
      );
    }
  });

  it('says when it drives an attached daemon', () => {
    const m = buildTrayModel(status('ready', { attached: true }), ctx);
    expect(labels(m.items)).toContain('Model: Qwen3-TTS-1.7B-VoiceDesign (int4) (attached to q3tts serve)');
    expect(labels(m.items)).toContain('Reload model (in q3tts serve)');
  });

  it('shows the neutral voice and no model plainly, and clips long labels and tooltips', () => {
    const long = 'x'.repeat(300);
    const m = buildTrayModel(status('error', { model: null, message: long }), {
      hotkeyLine: 'Hotkey: none',
      voice: '',
    });
    expect(labels(m.items)).toContain('Model: No model loaded');
    expect(labels(m.items)).toContain('Voice: neutral (no instruction)');
    expect(m.tooltip.length).toBeLessThanOrEqual(127);
    for (const l of labels(m.items)) expect(l.length).toBeLessThanOrEqual(70);
  });

  it('a Voice submenu lists the saved voices, the one in use checked; none without saved voices', () => {
    const none = buildTrayModel(status('ready'), { ...ctx, savedVoices: [], defaultVoice: null });
    expect(none.items.some((i) => i.kind === 'submenu')).toBe(false);

    const withVoices = {
      ...ctx,
      savedVoices: [
        { name: 'Narrator', kind: 'designed' as const },
        { name: 'Bright', kind: 'designed' as const },
        { name: 'Alice', kind: 'cloned' as const },
        { name: 'Reader', kind: 'locked' as const },
      ],
      defaultVoice: 'narrator',
    };
    const m = buildTrayModel(status('ready'), withVoices);
    const at = m.items.findIndex((i) => i.kind === 'submenu');
    expect(m.items[at - 1]).toMatchObject({ kind: 'action', action: 'open-window' });
    const menu = m.items[at] as Extract<TrayItem, { kind: 'submenu' }>;
    expect(menu.label).toBe('Saved voices');
    expect(menu.items).toEqual([
      { kind: 'voice', label: 'From Settings (default voice)', voice: null, checked: false },
      { kind: 'separator' },
      { kind: 'voice', label: 'Narrator', voice: 'Narrator', checked: true },
      { kind: 'voice', label: 'Bright', voice: 'Bright', checked: false },
      { kind: 'voice', label: 'Alice (cloned)', voice: 'Alice', checked: false },
      { kind: 'voice', label: 'Reader (locked)', voice: 'Reader', checked: false },
    ]);
    expect(labels(m.items)).toContain('Voice: Narrator'); // the info row names the one in use

    // a default voice that was removed meanwhile: the Settings' own voice is the one in use
    const gone = buildTrayModel(status('ready'), { ...withVoices, defaultVoice: 'Deleted' });
    const goneMenu = gone.items.find((i) => i.kind === 'submenu') as Extract<TrayItem, { kind: 'submenu' }>;
    expect(labels(gone.items)).toContain('Voice: a calm, low voice');
    expect(goneMenu.items[0]).toMatchObject({ voice: null, checked: true });
  });
});
