// The Models view in headless Chromium, through main's real IPC handlers, the real model manager and a
// real daemon, against the local Hub stand-in serving the synthetic tiny model. Nothing installed at
// first: the app is in "no model" (no daemon can start), the window offers the download, the pull runs in
// this process, and once the model is active the app starts its daemon on it, as electron/index.ts does.
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron.js'));
const { artifacts, haveChromium, startHarness } = await import('./harness.js');
import { hostDaemon } from '../../src/main/app/daemon-link.js';
import type { SpeechService } from '../../src/main/app/speech.js';
import { Supervisor, type Supervised } from '../../src/main/app/supervisor.js';
import { currentPathEnv } from '../../src/core/paths.js';
import { resolveEngineConfig } from '../../src/core/engine/config.js';
import { freeBytesAt } from '../../src/core/models/pull.js';
import { syntheticModel } from '../core/engine/fixture.js';
import { startFakeHub, type FakeHub } from '../core/models/hub-server.js';
import type { AppController } from '../../src/main/app/controller.js';
import type { Harness } from './harness.js';

const VD_REPO = 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX';
const CV_REPO = 'elbruno/Qwen3-TTS-12Hz-0.6B-CustomVoice-ONNX';
const CV_BIG_REPO = 'elbruno/Qwen3-TTS-12Hz-1.7B-CustomVoice-ONNX';
const VD = 'qwen3-tts-1.7b-voicedesign';

let hub: FakeHub;
let h: Harness;
let page: Page;
let data: string;
let backend: AppController;
type Running = Supervised & { speech: SpeechService };
let supervisor: Supervisor<Running>;
/** Free disk space as the pull sees it; null: the real figure. */
let fakeFree: number | null = null;

const text = (selector: string) => page.locator(selector).textContent();
const visible = (selector: string) => page.locator(selector).isVisible();

beforeAll(async () => {
  if (!haveChromium) return;
  const cv = await syntheticModel('custom_voice', 11);
  hub = await startFakeHub({ [VD_REPO]: await syntheticModel('voice_design', 7), [CV_REPO]: cv, [CV_BIG_REPO]: cv });
  data = mkdtempSync(path.join(os.tmpdir(), 'q3tts-window-models-'));
  process.env.Q3TTS_DATA_DIR = data;
  process.env.HF_ENDPOINT = hub.url;
  process.env.Q3TTS_THREADS = '1';
  delete process.env.Q3TTS_MODEL_DIR;
  delete process.env.HF_TOKEN;
  h = await startHarness();
  // The composition root's daemon supervision, in small: no model is a permanent failure until restarted.
  mkdirSync(path.join(data, 'run'), { recursive: true });
  supervisor = new Supervisor<Running>({
    spawn: async () => {
      const engine = resolveEngineConfig(currentPathEnv(), { precision: h.repo.get().modelVariant });
      const hosted = await hostDaemon({ socketPath: path.join(data, 'run', 'd.sock'), engine, log: () => undefined });
      return {
        speech: hosted.speech,
        ended: hosted.daemon.stopped.then(() => ({ reason: 'stopped' })),
        stop: () => hosted.speech.close(),
      };
    },
    isPermanent: (err) => (err as { code?: unknown }).code === 'E_NO_MODEL',
    onState: (state, running) => {
      if (state.state === 'starting') backend.setStarting('Loading the model…');
      else if (state.state === 'running' && running) void backend.setService(running.speech);
      else if (state.state === 'failed')
        backend.setFailed(/no model/i.test(state.reason) ? 'E_NO_MODEL' : 'E_ENGINE', state.reason);
    },
  });
  backend = h.newBackend({
    restartService: () => void supervisor.restart(),
    pullOptions: { freeBytes: async (dir) => fakeFree ?? freeBytesAt(dir) },
  });
  // As electron/index.ts: an engine setting saved restarts the app's own daemon.
  h.repo.onChange((next, previous) => {
    if (next.modelVariant !== previous.modelVariant) void supervisor.restart();
  });
  supervisor.start();
  for (let i = 0; i < 200 && backend.status.state !== 'no-model'; i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  if (!haveChromium) return;
  await supervisor?.stop();
  await h?.close();
  await hub?.close();
  rmSync(data, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('models view', () => {
  it('opens on the download panel when no model is installed, with sizes and free space', async () => {
    page = await h.open({ viewport: { width: 560, height: 760 } });
    await expect.poll(() => text('#state')).toBe('No model');
    expect(await page.getAttribute('#tab-models', 'aria-selected')).toBe('true');
    expect(await visible('#view-models')).toBe(true);
    expect(await visible('#models-intro')).toBe(true);
    await expect
      .poll(() => page.locator('#model-choice option').allTextContents())
      .toContain('Qwen3-TTS 1.7B VoiceDesign (describe a voice in words)');
    expect(await page.inputValue('#model-choice')).toBe(VD);
    expect(await page.isChecked('#prec-int4')).toBe(true); // the default set
    expect(await text('#size-int4')).toMatch(/^— (about [\d.]+ [kMG]B|size unknown)$/);
    expect(await text('#pull-space')).toMatch(/^Download: .+ · [\d.]+ [kMGT]?B free on disk/);
    expect(await text('#pull-start')).toBe('Download');
    expect(await text('#installed-list')).toBe('None yet.');
    expect(await text('#models-root')).toBe(path.join(data, 'models'));
  });

  it('shows a refused download (401) and a missing one (404) with what to do', async () => {
    await page.check('#prec-fp32');
    hub.reset();
    hub.faults.token = 'needed';
    await page.click('#pull-start');
    await expect.poll(() => visible('#pull-error')).toBe(true);
    expect(await text('#pull-error-title')).toBe('The Hub refused access (401/403).');
    expect(await text('#pull-error-hint')).toMatch(/HF_TOKEN/);
    expect(await text('#pull-error-detail')).toMatch(/\(401\)/);
    expect(await text('#pull-start')).toBe('Try again');
    expect(await page.isHidden('#pull-cancel')).toBe(true);

    hub.reset();
    hub.faults.apiFailures = { status: 404, count: 1 };
    await page.click('#pull-start');
    await expect.poll(() => text('#pull-error-title')).toBe('Not found on the Hub (404).');
    expect(await text('#pull-error-detail')).toMatch(/\(404\)/);
    expect(h.calls.filter((c) => c.method === 'pullModel').map((c) => c.payload)).toEqual([
      { name: VD, precision: 'fp32', activate: true },
      { name: VD, precision: 'fp32', activate: true },
    ]);
  });

  it('shows no network and a disk too small the same way', async () => {
    hub.reset();
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port)); // nothing listens there now: connections are refused
      });
    });
    process.env.HF_ENDPOINT = `http://127.0.0.1:${closed}`;
    try {
      await page.click('#pull-start');
      await expect
        .poll(() => text('#pull-error-title'), { timeout: 10_000 })
        .toBe('No connection to the Hugging Face Hub.');
      expect(await text('#pull-error-detail')).toMatch(/refused the connection/);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'models-error.png'), fullPage: true });
    } finally {
      process.env.HF_ENDPOINT = hub.url;
    }
    fakeFree = 1000;
    try {
      await page.click('#pull-start');
      await expect.poll(() => text('#pull-error-title')).toBe('Not enough disk space.');
      expect(await text('#pull-error-detail')).toMatch(/only 1000 are free/);
    } finally {
      fakeFree = null;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pull-start');
  });

  it('downloads with live progress from the keyboard, cancels mid-way, resumes to the end, and the app is ready on it', async () => {
    hub.reset();
    hub.faults.bytesPerSecond = 1_000_000; // per file; slow enough to watch and to cancel mid-way
    // Keyboard only: the model list, the precision radios (arrow keys), then the Download button.
    await page.focus('#model-choice');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prec-fp32');
    await page.keyboard.press('ArrowUp');
    expect(await page.isChecked('#prec-int4')).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await page.isChecked('#prec-fp32')).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pull-start');
    await page.keyboard.press('Enter');

    // Live: the bar and the line move (bytes, percentage, speed, time left).
    const lines = new Set<string>();
    await expect
      .poll(
        async () => {
          const l = await text('#pull-line');
          if (l) lines.add(l);
          return lines.size;
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBeGreaterThanOrEqual(3);
    expect([...lines].at(-1)).toMatch(
      /^[\d.]+ [kM]?B of [\d.]+ MB \(\d+ %\) · [\d.]+ [kM]?B\/s · (\d+ s left|about \d+ min left|waiting for data)$/,
    );
    expect(await page.isHidden('#pull-error')).toBe(true);
    expect(await text('#pull-phase')).toBe('Downloading…');
    const percent = Number(await page.getAttribute('#pull-progress', 'value'));
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThan(100);
    // Focus moved to Cancel when Download went away.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pull-cancel');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'models.png'), fullPage: true });

    await page.keyboard.press('Enter'); // Cancel
    await expect.poll(() => text('#pull-phase')).toMatch(/^Download cancelled/);
    expect(await text('#pull-start')).toBe('Resume download');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pull-start');
    expect(h.calls.some((c) => c.method === 'cancelPull')).toBe(true);
    await expect.poll(() => text('#pull-space')).toMatch(/[\d.]+ [kM]?B already downloaded/);
    expect(backend.status.state).toBe('no-model');

    hub.faults.bytesPerSecond = 0;
    hub.log.length = 0;
    await page.keyboard.press('Enter'); // Resume download
    // Done: made active, the daemon starts on it, and the speak view takes over, ready.
    await expect.poll(() => text('#state'), { timeout: 30_000 }).toBe('Ready');
    await expect.poll(() => visible('#view-speak')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');
    // It resumed: the part files continued with Range requests instead of starting over.
    expect(hub.log.some((r) => r.path.startsWith('/cdn/') && /^bytes=[1-9]\d*-$/.test(r.range ?? ''))).toBe(true);
    expect(backend.status.model).toMatch(/voice_design.*\(fp32\)/); // the synthetic model names itself
    expect(h.repo.get().modelVariant).toBe('fp32'); // the app restarts on the precision it pulled
    expect(statSync(path.join(data, 'models', `${VD}-fp32`, 'config.json')).isFile()).toBe(true);
    await page.fill('#text', 'Hello.');
    expect(await page.isDisabled('#speak')).toBe(false);
  });

  it('with a model installed, lists it as in use, downloads another without switching, and "Use" switches to it', async () => {
    await page.click('#tab-models');
    await expect.poll(() => text('#installed-list')).toMatch(/Qwen3-TTS 1\.7B VoiceDesign .*\(fp32\).*In use/);
    expect(await visible('#models-intro')).toBe(false);
    expect(await text('#pull-space')).toMatch(/^Installed \([\d.]+ MB\), in use\.$/);
    expect(await page.isHidden('#pull-start')).toBe(true); // nothing to download for the installed choice

    await page.selectOption('#model-choice', 'qwen3-tts-0.6b-customvoice');
    await page.check('#prec-fp32');
    expect(await text('#pull-start')).toBe('Download');
    await page.click('#pull-start');
    await expect.poll(() => text('#pull-phase'), { timeout: 20_000 }).toBe('Done: the model is installed.');
    expect(h.calls.filter((c) => c.method === 'pullModel').at(-1)?.payload).toEqual({
      name: 'qwen3-tts-0.6b-customvoice',
      precision: 'fp32',
      activate: false,
    });
    await expect.poll(() => page.locator('#installed-list li').count()).toBe(2);
    expect(backend.status.model).toMatch(/voice_design/); // still the one in use

    await page.getByRole('button', { name: /^Use Qwen3-TTS 0\.6B CustomVoice.*\(fp32\)$/ }).click();
    await expect.poll(() => backend.status.model, { timeout: 30_000 }).toMatch(/custom_voice/);
    await expect.poll(() => text('#installed-list')).toMatch(/CustomVoice.*\(fp32\).*In use/);
    // The speak view now offers the custom-voice model's speakers.
    await page.click('#tab-speak');
    await expect.poll(() => visible('#speaker-field'), { timeout: 10_000 }).toBe(true);
  });

  it('a window opened mid-download shows that download and can cancel it', async () => {
    hub.reset();
    hub.faults.bytesPerSecond = 500_000;
    const CV_BIG = 'qwen3-tts-1.7b-customvoice';
    // Started from one window, which then closes (the download goes on in the app)…
    void page
      .evaluate((name) => window.q3tts.pullModel({ name, precision: 'fp32', activate: false }), CV_BIG)
      .catch(() => undefined);
    await expect
      .poll(() => h.calls.some((c) => c.method === 'pullModel' && (c.payload as { name: string }).name === CV_BIG))
      .toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const problemsBefore = h.problems.length;
    // …and a new window opened on Models follows it.
    page = await h.open({ hash: '#models', viewport: { width: 560, height: 760 } });
    await expect.poll(() => text('#pull-phase'), { timeout: 10_000 }).toBe('Downloading…');
    expect(await page.inputValue('#model-choice')).toBe(CV_BIG);
    expect(await page.isChecked('#prec-fp32')).toBe(true);
    await expect.poll(() => text('#pull-line')).toMatch(/ of [\d.]+ MB \(\d+ %\)/);
    await page.click('#pull-cancel');
    await expect.poll(() => text('#pull-phase')).toMatch(/^Download cancelled/);
    expect(h.calls.filter((c) => c.method === 'cancelPull').at(-1)?.payload).toEqual({
      name: CV_BIG,
      precision: 'fp32',
    });
    expect(await text('#pull-start')).toBe('Resume download');
    expect(h.problems.length).toBe(problemsBefore);
    hub.faults.bytesPerSecond = 0;
  });

  it('a refused Remove says why above the list and offers Remove again, deleting nothing', async () => {
    await expect.poll(() => page.locator('#installed-list li').count()).toBe(2);
    // Gone from the models folder behind the window's back: main finds nothing to remove.
    const folder = path.join(data, 'models', `${VD}-fp32`);
    const away = path.join(data, 'away');
    renameSync(folder, away);
    try {
      const remove = page.getByRole('button', { name: /^Remove Qwen3-TTS 1\.7B VoiceDesign.*\(fp32\)$/ });
      await remove.click();
      await page.getByRole('button', { name: /^Delete Qwen3-TTS 1\.7B VoiceDesign.*\(fp32\) from disk\?/ }).click();
      await expect.poll(() => visible('#models-list-error')).toBe(true);
      expect(await text('#models-list-error')).toBe(`${VD} (fp32) is not installed`);
      expect(await remove.textContent()).toBe('Remove');
      expect(await remove.isEnabled()).toBe(true);
    } finally {
      renameSync(away, folder);
    }
    expect(statSync(folder).isDirectory()).toBe(true);
  });

  it('removes an installed model after a second press, never the one in use', async () => {
    await expect.poll(() => page.locator('#installed-list li').count()).toBe(2);
    const callsBefore = h.calls.length;
    const row = (name: RegExp) => page.locator('#installed-list li').filter({ hasText: name });
    expect(
      await row(/CustomVoice/)
        .getByRole('button')
        .count(),
    ).toBe(0); // in use: neither Use nor Remove
    const remove = page.getByRole('button', { name: /^Remove Qwen3-TTS 1\.7B VoiceDesign.*\(fp32\)$/ });
    await remove.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('button', {
      name: /^Delete Qwen3-TTS 1\.7B VoiceDesign.*\(fp32\) from disk\? Press again to confirm$/,
    });
    expect(await confirm.textContent()).toBe('Delete from disk?');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#installed-list li').count()).toBe(1);
    expect(
      h.calls
        .slice(callsBefore)
        .filter((c) => c.method === 'removeModel')
        .map((c) => c.payload),
    ).toEqual([{ name: VD, precision: 'fp32' }]);
    expect(() => statSync(path.join(data, 'models', `${VD}-fp32`))).toThrow(/ENOENT/);
    expect(backend.status.state).toBe('ready'); // the model in use is untouched
  });

  it('had no CSP violations and no console errors', async () => {
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});
