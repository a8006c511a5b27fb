// The window in headless Debian Chromium, served over http with its real CSP, wired to main's real IPC
// handlers (src/main/electron/ipc.ts, with `electron` mocked by the test file), the real controller
// over a daemon with the tone engine, and the real settings repo (plain conf in a tmp dir).
// The test file must call vi.mock('electron', () => import('../mocks/electron.js')) before importing this.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppController } from '../../src/main/app/controller.js';
import { hostDaemon, type HostedDaemon } from '../../src/main/app/daemon-link.js';
import { ModelManager } from '../../src/main/app/models.js';
import { openSettingsRepo, type SettingsRepo } from '../../src/main/app/settings-repo.js';
import { pushModelEvent, pushSettings, pushStatus, registerIpc } from '../../src/main/electron/ipc.js';
import { modelsRoot } from '../../src/core/models/layout.js';
import type { PullOptions } from '../../src/core/models/pull.js';
import { ModelsService } from '../../src/core/models/service.js';
import { currentPathEnv } from '../../src/core/paths.js';
import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../../src/shared/ipc.js';
import { ipcMain, WebContentsMock } from '../mocks/electron.js';
import { installBridge } from './bridge-shim.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const artifacts = path.join(root, 'test/artifacts');
const rendererDir = path.join(root, 'out/renderer');
const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED window tests: ${CHROMIUM} not found (apt-get install chromium)`);

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};
const METHOD_OF = new Map<string, string>(
  Object.entries(INVOKE_CHANNELS).map(([method, channel]) => [channel, method]),
);

export interface Harness {
  dir: string;
  hosted: HostedDaemon;
  repo: SettingsRepo;
  /** Our window's webContents, for main's pushes (pushShowView…). */
  contents: WebContentsMock;
  /** Every bridge call the page made, by bridge method name. */
  calls: Array<{ method: string; payload: unknown }>;
  /** Console errors and page errors over the whole run. */
  problems: string[];
  /**
   * Answers a bridge method at the Electron IPC boundary instead of main's handler (null: main again), for
   * answers the daemon on this branch cannot give yet. The call is still recorded in `calls`.
   */
  answerWith(method: string, answer: ((payload: unknown) => Promise<unknown>) | null): void;
  page(): Page;
  /**
   * A fresh controller (status pushed to the page) and model manager, as main makes them per app start.
   * Models go through the controller's daemon, or a ModelsService in this process while there is none
   * (its root: Q3TTS_DATA_DIR); restartService is what the model manager calls to start the daemon.
   */
  newBackend(options?: { restartService?: () => void; pullOptions?: Partial<PullOptions> }): AppController;
  open(options?: { hash?: string; viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { platform?: NodeJS.Platform; chromiumArgs?: string[] } = {},
): Promise<Harness> {
  if (!existsSync(path.join(rendererDir, 'main.js')))
    throw new Error('out/renderer is missing: the global setup runs scripts/build.mjs');
  process.env.Q3TTS_AUDIO = 'null';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-window-'));
  const server = http.createServer((req, res) => {
    const file = path.normalize(path.join(rendererDir, new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(rendererDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hosted = await hostDaemon({
    settingsFile: path.join(dir, 'config', 'settings.json'), // the repo's file below: saved voices
    socketPath: path.join(dir, 'run', 'daemon.sock'),
    engine: { kind: 'tone', msPerFrame: 4 },
    log: () => undefined,
  });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      ...(options.chromiumArgs ?? []),
    ],
  });

  let page: Page | undefined;
  const calls: Harness['calls'] = [];
  const answers = new Map<string, (payload: unknown) => Promise<unknown>>();
  const problems: string[] = [];
  // Our window's webContents: what main sends to it reaches the page's bridge listeners.
  class PageContents extends WebContentsMock {
    override send(channel: string, payload: unknown) {
      super.send(channel, payload);
      void page?.evaluate(([c, p]) => window.__q3ttsPush(c, p), [channel, payload] as const).catch(() => undefined);
    }
  }
  const contents = new PageContents();
  const trusted = { sender: contents, senderFrame: { url: 'app://ui/index.html', parent: null } };
  const repo = openSettingsRepo({ cwd: path.join(dir, 'config') });
  repo.onChange((next) => pushSettings([contents as never], next)); // as the composition root does

  let unregister = (): void => undefined;
  let invokeHandler: (channel: string, args: unknown[]) => Promise<unknown> = async () => {
    throw new Error('no backend yet: call newBackend()');
  };
  const newBackend = ({
    restartService = () => undefined,
    pullOptions = {},
  }: { restartService?: () => void; pullOptions?: Partial<PullOptions> } = {}) => {
    const backend = new AppController({ settings: () => repo.get(), readClipboard: async () => '', restartService });
    backend.onStatus((s) => pushStatus([contents as never], s));
    const local = new ModelsService({
      root: modelsRoot(currentPathEnv()),
      switchModel: async () => ({ status: 'ok' }),
      pullOptions: { retries: 1, retryBaseMs: 50, retryMaxMs: 100, ...pullOptions },
    });
    const models = new ModelManager({
      daemon: () => backend.speech,
      local: { request: (r, onEvent) => local.handle(r, onEvent ?? (() => undefined)) },
      settings: repo,
      restartService,
      onEvent: (event) => pushModelEvent([contents as never], event),
    });
    unregister();
    unregister = registerIpc({
      controller: backend,
      settings: repo,
      models,
      ...(options.platform ? { platform: options.platform } : {}),
      ourContents: () => [contents as never],
      chooseWavPath: async () => path.join(dir, 'saved.wav'),
    });
    invokeHandler = (channel, args) => ipcMain.handlers.get(channel)!(trusted, ...args) as Promise<unknown>;
    return backend;
  };

  return {
    dir,
    hosted,
    repo,
    contents,
    calls,
    problems,
    answerWith: (method, answer) => void (answer ? answers.set(method, answer) : answers.delete(method)),
    page: () => page!,
    newBackend,
    async open({ hash = '', viewport = { width: 560, height: 600 } } = {}) {
      await page?.close();
      page = await browser.newPage({ viewport });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.exposeFunction('__q3ttsInvoke', (channel: string, args: unknown[]) => {
        const method = METHOD_OF.get(channel) ?? channel;
        calls.push({ method, payload: args[0] });
        return answers.get(method)?.(args[0]) ?? invokeHandler(channel, args);
      });
      await page.addInitScript(installBridge, { invoke: INVOKE_CHANNELS, push: PUSH_CHANNELS });
      await page.goto(`${baseUrl}/index.html${hash}`);
      return page;
    },
    async close() {
      unregister();
      await browser.close();
      await hosted.speech.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
