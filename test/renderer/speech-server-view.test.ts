// The "Use a speech server" section's wording and checks, and what the status line says while the remote
// engine speaks (pure functions the window uses).
import { describe, expect, it } from 'vitest';
import { formFromSettings, patchFromForm, touchesEngine } from '../../src/renderer/settings-view.js';
import { modelsRemoteLine, remoteNote, speechServerNotes, tokenLine } from '../../src/renderer/speech-server-view.js';
import { statusLine } from '../../src/renderer/view.js';
import type { AppStatus } from '../../src/shared/bridge.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';

const URL_ = 'https://gpu-box:8091';
const ready = (extra: Partial<AppStatus> = {}): AppStatus => ({
  state: 'ready',
  message: null,
  engine: 'remote',
  model: 'remote Qwen3-TTS',
  attached: false,
  last: null,
  progressSeconds: null,
  ...extra,
});

describe('speech server in the settings form', () => {
  it('round-trips: empty field = null (the local model), the URL trimmed, failover as checked', () => {
    const form = formFromSettings(DEFAULT_SETTINGS);
    expect(form).toMatchObject({ speechServer: '', speechServerFailover: true });
    expect(patchFromForm(form, DEFAULT_SETTINGS)).toEqual({ patch: {}, errors: {} });
    const { patch, errors } = patchFromForm(
      { ...form, speechServer: `  ${URL_} `, speechServerFailover: false },
      DEFAULT_SETTINGS,
    );
    expect(patch).toEqual({ speechServer: URL_, speechServerFailover: false });
    expect(errors).toEqual({});
    expect(touchesEngine(patch)).toBe(true); // saving restarts the engine
    const back = patchFromForm({ ...form, speechServer: '' }, { ...DEFAULT_SETTINGS, speechServer: URL_ });
    expect(back.patch).toEqual({ speechServer: null });
  });

  it.each([
    ['gpu-box:8091', /http:\/\/ or https:\/\//],
    ['https://ann:pw@gpu-box', /token field/],
    ['not a url', /not a URL/],
  ])('marks %j before asking main', (typed, message) => {
    const { errors } = patchFromForm({ ...formFromSettings(DEFAULT_SETTINGS), speechServer: typed }, DEFAULT_SETTINGS);
    expect(errors.speechServer).toMatch(message);
  });
});

describe('notes under the speech server field', () => {
  it.each([
    ['', true, [/local model speaks/]],
    ['https://gpu-box:8091', true, [/local model speaks instead/]],
    ['https://gpu-box:8091', false, [/speech fails with the reason/]],
    ['http://127.0.0.1:8880', true, [/local model speaks instead/]],
    ['http://[::1]:8880', false, [/fails/]],
    ['http://gpu-box:8091', true, [/instead/, /not encrypted.*https:\/\//]],
    ['ftp://x', true, []], // the field's error says it
  ])('%j failover %s', (url, failover, expected) => {
    const notes = speechServerNotes(url, failover);
    expect(notes).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(notes[i]).toMatch(re));
  });

  it('never shows the token, only whether one is stored', () => {
    expect(tokenLine(true)).toBe('A token is stored (it is not shown).');
    expect(tokenLine(false)).toMatch(/No token stored/);
  });
});

describe('the status line with the remote engine', () => {
  it.each([
    ['no remote engine', ready({ engine: 'tone', model: 'tone-1' }), null],
    [
      'the server speaks',
      ready({ remote: { url: URL_, using: 'server', failover: true } }),
      `speaking through the speech server ${URL_}`,
    ],
    [
      'the local model stands in',
      ready({ remote: { url: URL_, using: 'local', error: 'connection refused', failover: true } }),
      `speech server ${URL_} not answering (connection refused): the local model speaks`,
    ],
    [
      'the server fails and nothing stands in',
      ready({ remote: { url: URL_, using: 'server', error: 'HTTP 500', failover: false } }),
      `speech server ${URL_} failing (HTTP 500)`,
    ],
  ])('%s', (_name, status, note) => {
    expect(remoteNote(status)).toBe(note);
    const line = statusLine(status, null);
    if (note) expect(line).toBe(`remote Qwen3-TTS — Ready to speak. — ${note}`);
    else expect(line).toBe('tone-1 — Ready to speak.');
  });

  it('says it while speaking too, but not over a loading or error message', () => {
    const remote = { url: URL_, using: 'local' as const, failover: true };
    expect(statusLine(ready({ state: 'speaking', remote }), 'speak')).toMatch(
      /^Speaking… — speech server .* the local model speaks$/,
    );
    expect(statusLine(ready({ state: 'error', message: 'boom', remote }), null)).toBe('The engine failed: boom');
  });
});

describe("the Models tab's line with the remote engine", () => {
  it.each([
    ['no remote engine', null, null],
    [
      'server, stand-in ready',
      { url: URL_, using: 'server' as const, failover: true },
      `Speech goes to the speech server ${URL_}; the model in use here stands in while it is away.`,
    ],
    [
      'server, no stand-in',
      { url: URL_, using: 'server' as const, failover: false },
      `Speech goes to the speech server ${URL_}; no local model stands in (Settings → Use a speech server).`,
    ],
    [
      'standing in',
      { url: URL_, using: 'local' as const, error: 'timeout', failover: true },
      `The speech server ${URL_} is not answering: the model in use here speaks until it is back.`,
    ],
  ])('%s', (_name, remote, line) => {
    expect(modelsRemoteLine(remote ? ready({ remote }) : ready())).toBe(line);
  });
});
