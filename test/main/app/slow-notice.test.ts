// A machine slower than real time, said where the user looks: the daemon's status.speed becomes the app's
// status, a second line of the tray tooltip, and the window's status line (with what helps).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NullSink } from '../../../src/core/audio/select.js';
import { writeFileAtomic } from '../../../src/core/atomic-file.js';
import { DaemonCore } from '../../../src/core/daemon/core.js';
import { createToneEngine } from '../../../src/core/engine/tone.js';
import { AppController, deriveStatus } from '../../../src/main/app/controller.js';
import { daemonSpeechService, slowOf } from '../../../src/main/app/daemon-speech.js';
import type { Requester } from '../../../src/shared/actions.js';
import type { EventMessage, Request } from '../../../src/shared/protocol.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings.js';
import type { SpeechSnapshot } from '../../../src/main/app/speech.js';
import { buildTrayModel } from '../../../src/main/app/tray-model.js';
import { statusLine } from '../../../src/renderer/view.js';

const advice =
  'this machine generates speech 2.4× slower than real time with M (int4), so each sentence is prepared before it plays (about 13 s for a typical sentence) to avoid pauses inside it; faster: a GPU execution provider';
const speed = { rtf: 2.4, slow: true, wait_s: 13.2, advice };
const snap = (state: SpeechSnapshot['state'], slow = slowOf(speed)): SpeechSnapshot => ({
  state,
  engine: 'qwen3-tts',
  model: 'M (int4)',
  error: null,
  last: null,
  slow,
});
const extra = { attached: false, progressSeconds: null, last: null };
const ctx = { hotkeyLine: 'Hotkey: Ctrl+Alt+S', voice: '' };

describe('slow machine notice', () => {
  it('status.speed → notice only when the daemon says slow, with its figures', () => {
    expect(slowOf(speed)).toEqual({ rtf: 2.4, waitSeconds: 13.2, advice });
    expect(slowOf({ rtf: 0.6, slow: false })).toBeNull();
    expect(slowOf({ rtf: null, slow: false })).toBeNull();
    expect(slowOf(undefined)).toBeNull();
    expect(slowOf({ slow: true, rtf: 'x', advice })).toBeNull();
  });

  it('the tray tooltip gets a second line with the factor and the wait, within 127 characters', () => {
    const ready = deriveStatus({ phase: 'up' }, snap('idle'), extra);
    const tip = buildTrayModel(ready, ctx).tooltip;
    expect(tip).toBe('q3tts — Ready\nSlower than real time (×2.4): ~13 s before each sentence');
    expect(tip.length).toBeLessThanOrEqual(127);
    expect(buildTrayModel(deriveStatus({ phase: 'up' }, snap('idle', null), extra), ctx).tooltip).toBe('q3tts — Ready');
    // not while something else is the news
    expect(
      buildTrayModel(deriveStatus({ phase: 'up' }, { ...snap('error'), error: 'engine died' }, extra), ctx).tooltip,
    ).not.toMatch(/Slower/);
  });

  it('the window says why speech waits and what helps', () => {
    const line = statusLine(deriveStatus({ phase: 'up' }, snap('speaking'), extra), 'speak');
    expect(line).toMatch(/^Speaking… — this machine generates speech 2\.4× slower than real time/);
    expect(line).toMatch(/GPU/);
    expect(statusLine(deriveStatus({ phase: 'up' }, snap('idle', null), extra), null)).not.toMatch(/slower/);
  });
});

describe('speech start setting', () => {
  it('defaults to smooth; "asap" goes to the daemon as start: "asap" and is accepted', async () => {
    expect(DEFAULT_SETTINGS.speechStart).toBe('smooth');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-start-'));
    const core = new DaemonCore({
      handlersFile: path.resolve(import.meta.dirname, '../../../out/daemon/handlers.mjs'),
      speedFile: path.join(dir, 'speed.json'),
      log: () => undefined,
      audio: { openPlayback: async () => new NullSink(), openFile: async () => new NullSink(), writeFileAtomic },
      loadEngine: async () => createToneEngine(),
    });
    const sent: Request[] = [];
    // Records what the app sends, then lets the real core answer it.
    const recording: Requester = {
      request: (r: Request, e?: (event: EventMessage) => void) => (sent.push(r), core.request(r, e)),
    } as Requester;
    const speech = daemonSpeechService(
      { request: recording.request.bind(recording), close: () => undefined },
      { mode: 'host' },
    );
    try {
      const command = { text: 'Hi.', instruct: null, language: 'auto', speaker: null, interrupt: false, clean: false };
      await speech.speak({ ...command, asap: true });
      await speech.speak(command);
      const generates = sent.filter((r) => r.action === 'generate');
      expect(generates.map((r) => r.start ?? 'default')).toEqual(['asap', 'default']);
      // The window's setting reaches the daemon through the controller, read at each utterance.
      sent.length = 0;
      const settings: Settings = { ...DEFAULT_SETTINGS, speechStart: 'asap' };
      const controller = new AppController({
        settings: () => settings,
        readClipboard: async () => '',
        log: () => undefined,
      });
      await controller.setService(speech);
      const params = { text: 'Hi.', instruct: '', language: 'auto', speaker: null };
      expect(await controller.speak(params)).toMatchObject({ ok: true });
      settings.speechStart = 'smooth';
      expect(await controller.speak(params)).toMatchObject({ ok: true });
      const fromApp = sent.filter((r) => r.action === 'generate');
      expect(fromApp.map((r) => r.start ?? 'default')).toEqual(['asap', 'default']);
    } finally {
      await speech.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
