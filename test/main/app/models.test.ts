// The app's model manager (src/main/app/models.ts): which port answers, what the window is told, and
// what happens after a model is made active. Ports here are recording stand-ins for the daemon protocol.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelManager, pullFailure, toModelEvent, type ModelsPort } from '../../../src/main/app/models.js';
import { Hub, networkError } from '../../../src/core/models/hub.js';
import { cancelledError } from '../../../src/core/models/errors.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings.js';
import type { ModelEvent } from '../../../src/shared/bridge.js';
import type { Answer, EventMessage, Request } from '../../../src/shared/protocol.js';

describe('pullFailure: the window reason from the daemon answer', () => {
  const hub = new Hub({ endpoint: 'https://huggingface.co' });
  const withToken = new Hub({ endpoint: 'https://huggingface.co', token: 't' });
  const url = new URL('https://huggingface.co/x');
  const sys = (code: string) => Object.assign(new Error(code), { code });
  // The real messages of src/core/models, so a change of wording there shows up here.
  it.each<[string, string, string, string]>([
    ['401, no token', 'E_DOWNLOAD', hub.httpError(401, {}, 'the file list').message, 'auth'],
    ['401, bad token', 'E_DOWNLOAD', withToken.httpError(401, {}, 'the file list').message, 'auth'],
    ['403', 'E_DOWNLOAD', hub.httpError(403, {}, 'config.json').message, 'auth'],
    ['404', 'E_DOWNLOAD', hub.httpError(404, { 'x-error-code': 'RepoNotFound' }, 'the revision').message, 'not-found'],
    ['DNS', 'E_DOWNLOAD', networkError(sys('ENOTFOUND'), url).message, 'network'],
    ['refused', 'E_DOWNLOAD', networkError(sys('ECONNREFUSED'), url).message, 'network'],
    ['no route', 'E_DOWNLOAD', networkError(sys('ENETUNREACH'), url).message, 'network'],
    ['5xx after retries', 'E_DOWNLOAD', hub.httpError(503, {}, 'x').message, 'network'],
    [
      'disk full mid-download',
      'E_DOWNLOAD',
      'the disk is full (ENOSPC) while writing a.onnx.data: free some space and run the pull again (it resumes)',
      'disk',
    ],
    [
      'not enough space up front',
      'E_DOWNLOAD',
      'm (fp32) needs 5 more bytes (plus 64 spare) but only 3 are free on the disk holding /d',
      'disk',
    ],
    [
      'checksum twice',
      'E_DOWNLOAD',
      "a.npy: sha256 0123456789ab… does not match the Hub's ba9876543210…, twice in a row: the file was deleted.",
      'checksum',
    ],
    ['cancelled', 'E_CANCELLED', cancelledError().message, 'cancelled'],
    ['another process pulls', 'E_BUSY', 'a pull of m (int4) is already running (process 12)', 'busy'],
    ['daemon went away', 'E_DAEMON_GONE', 'the q3tts daemon is not reachable: reset', 'other'],
    [
      'layout',
      'E_DOWNLOAD',
      'r@main lacks 2 files q3tts needs (x, y): its layout is not the one the engine loads',
      'other',
    ],
  ])('%s', (_name, code, message, reason) => expect(pullFailure(code, message)).toBe(reason));
});

describe('toModelEvent', () => {
  const F = 'm-fp32';
  const e = (fields: Record<string, unknown>): EventMessage =>
    ({ event: 'pull', id: 'app-1', ...fields }) as EventMessage;
  it.each<[string, EventMessage, ModelEvent | null]>([
    [
      'plan',
      e({ type: 'plan', files: 12, total_bytes: 1000, have_bytes: 200, free_bytes: 9e9, folder: F }),
      { type: 'plan', folder: F, files: 12, totalBytes: 1000, haveBytes: 200, freeBytes: 9e9 },
    ],
    [
      'progress',
      e({
        type: 'progress',
        done_bytes: 500,
        total_bytes: 1000,
        speed_bps: 250,
        eta_s: null,
        files_done: 3,
        files_total: 12,
      }),
      {
        type: 'progress',
        folder: F,
        doneBytes: 500,
        totalBytes: 1000,
        speedBps: 250,
        etaS: null,
        filesDone: 3,
        filesTotal: 12,
      },
    ],
    [
      'resume',
      e({ type: 'resume', path: 'fp32/a.onnx.data', offset: 4096 }),
      { type: 'note', folder: F, message: 'Resuming fp32/a.onnx.data from 4096 bytes' },
    ],
    [
      'retry',
      e({ type: 'retry', path: 'a', attempt: 1, delay_ms: 2000, reason: 'reset' }),
      { type: 'note', folder: F, message: 'Retrying a in 2 s: reset' },
    ],
    [
      'restart',
      e({ type: 'restart', path: 'a', reason: 'the server ignored the range' }),
      { type: 'note', folder: F, message: 'Starting a over: the server ignored the range' },
    ],
    [
      'checksum',
      e({ type: 'checksum', path: 'a', message: 'a: sha256 … does not match', refetch: true }),
      { type: 'note', folder: F, message: 'a: sha256 … does not match — fetching it again' },
    ],
    [
      'installed',
      e({ type: 'installed', folder: F, total_bytes: 1000, downloaded_bytes: 800, seconds: 2.5, active: true }),
      { type: 'installed', folder: F, totalBytes: 1000, downloadedBytes: 800, seconds: 2.5 },
    ],
    ['file (not shown)', e({ type: 'file', path: 'a', size: 3 }), null],
    [
      'junk fields become zeros',
      e({ type: 'progress', done_bytes: 'x' }),
      {
        type: 'progress',
        folder: F,
        doneBytes: 0,
        totalBytes: 0,
        speedBps: 0,
        etaS: null,
        filesDone: 0,
        filesTotal: 0,
      },
    ],
  ])('%s', (_name, event, expected) => expect(toModelEvent(event, F)).toEqual(expected));
});

/** A port answering from a table, recording requests; models_pull sends the given events first. */
function port(
  name: string,
  answers: Partial<Record<string, Answer | (() => Promise<Answer>)>>,
  events: EventMessage[] = [],
) {
  const requests: Request[] = [];
  const p: ModelsPort & { requests: Request[]; name: string } = {
    name,
    requests,
    async request(r, onEvent) {
      requests.push(r);
      if (r.action === 'models_pull') for (const e of events) onEvent?.(e);
      const a = answers[r.action];
      if (!a) return { status: 'error', code: 'E_UNKNOWN_ACTION', message: r.action };
      return typeof a === 'function' ? a() : a;
    },
  };
  return p;
}

function manager(o: { daemon?: ModelsPort | null; local?: ModelsPort; settings?: Partial<Settings> } = {}) {
  let settings: Settings = { ...DEFAULT_SETTINGS, ...o.settings };
  const events: ModelEvent[] = [];
  const log: string[] = [];
  const m = new ModelManager({
    daemon: () => o.daemon ?? null,
    local: o.local ?? port('local', {}),
    settings: {
      get: () => settings,
      update: (patch) => {
        log.push(`settings ${JSON.stringify(patch)}`);
        settings = { ...settings, ...patch } as Settings;
      },
    },
    restartService: () => log.push('restart'),
    onEvent: (e) => events.push(e),
    freeBytes: async () => 42,
  });
  return { m, events, log };
}

const listing: Answer = {
  status: 'ok',
  root: '/d/models',
  active: null,
  override: null,
  models: [
    {
      name: 'm',
      precision: 'fp32',
      folder: 'm-fp32',
      title: 'M',
      repo: 'o/m',
      variant: 'voice_design',
      size_class: '1.7B',
      installed: false,
      active: false,
      bytes: 100,
      approx: true,
      dir: null,
      partial_bytes: 30,
    },
  ],
  pulls: [
    { name: 'm', precision: 'fp32', folder: 'm-fp32', done_bytes: 40, total_bytes: 100, speed_bps: 5, eta_s: 12 },
  ],
};

describe('ModelManager', () => {
  it('lists through the daemon when one runs, else in this process; adds the free disk space', async () => {
    const daemon = port('daemon', { models: listing });
    const local = port('local', { models: listing });
    const viaDaemon = await manager({ daemon, local }).m.list();
    expect(daemon.requests.map((r) => r.action)).toEqual(['models']);
    expect(local.requests).toEqual([]);
    expect(viaDaemon).toEqual({
      ok: true,
      models: {
        root: '/d/models',
        active: null,
        override: null,
        freeBytes: 42,
        models: [
          {
            name: 'm',
            precision: 'fp32',
            folder: 'm-fp32',
            title: 'M',
            sizeClass: '1.7B',
            installed: false,
            active: false,
            bytes: 100,
            approx: true,
            partialBytes: 30,
          },
        ],
        pulls: [{ folder: 'm-fp32', doneBytes: 40, totalBytes: 100, speedBps: 5, etaS: 12 }],
      },
    });
    await manager({ daemon: null, local }).m.list();
    expect(local.requests.map((r) => r.action)).toEqual(['models']);
  });

  it('a daemon that went away is an answer, not a throw', async () => {
    const dead: ModelsPort = {
      request: async () => {
        throw Object.assign(new Error('the q3tts daemon is not reachable: EPIPE'), { code: 'E_DAEMON_GONE' });
      },
    };
    const { m, events } = manager({ daemon: dead });
    expect(await m.list()).toEqual({
      ok: false,
      code: 'E_DAEMON_GONE',
      message: 'the q3tts daemon is not reachable: EPIPE',
    });
    expect(await m.pull({ name: 'm', precision: 'fp32', activate: false })).toMatchObject({
      ok: false,
      code: 'E_DAEMON_GONE',
      reason: 'other',
    });
    expect(events.at(-1)).toMatchObject({ type: 'finished', folder: 'm-fp32', outcome: { ok: false } });
  });

  it('pull: events are forwarded under the planned folder, then "finished"; a second request joins the first', async () => {
    let finish!: (a: Answer) => void;
    const daemon = port('daemon', { models_pull: () => new Promise<Answer>((r) => (finish = r)) }, [
      {
        event: 'pull',
        type: 'plan',
        folder: 'm-fp32',
        files: 2,
        total_bytes: 100,
        have_bytes: 0,
        free_bytes: 1e9,
      } as EventMessage,
      {
        event: 'pull',
        type: 'progress',
        done_bytes: 50,
        total_bytes: 100,
        speed_bps: 10,
        eta_s: 5,
        files_done: 1,
        files_total: 2,
      } as EventMessage,
      { event: 'pull', type: 'file', path: 'a', size: 50 } as EventMessage,
    ]);
    const { m, events, log } = manager({ daemon });
    const first = m.pull({ name: 'm', precision: 'fp32', activate: false });
    const second = m.pull({ name: 'm', precision: 'fp32', activate: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(daemon.requests).toEqual([{ action: 'models_pull', name: 'm', precision: 'fp32', events: true }]);
    finish({
      status: 'ok',
      folder: 'm-fp32',
      dir: '/d/models/m-fp32',
      total_bytes: 100,
      downloaded_bytes: 100,
      active: false,
    });
    const outcome = { ok: true, folder: 'm-fp32', active: false, warning: null };
    expect(await first).toEqual(outcome);
    expect(await second).toEqual(outcome);
    expect(events.map((e) => e.type)).toEqual(['plan', 'progress', 'finished']);
    expect(events.every((e) => e.folder === 'm-fp32')).toBe(true);
    expect(log).toEqual([]); // not asked to activate: nothing switched
  });

  it('pull with activate, no daemon (nothing installed yet): pulled and used locally, then the daemon is started', async () => {
    const local = port('local', {
      models_pull: { status: 'ok', folder: 'm-int4', active: true },
      models_use: { status: 'ok', active: 'm-int4', dir: '/d/models/m-int4' },
    });
    const { m, log } = manager({ local, settings: { modelVariant: 'int4' } });
    expect(await m.pull({ name: 'm', precision: 'int4', activate: true })).toEqual({
      ok: true,
      folder: 'm-int4',
      active: true,
      warning: null,
    });
    expect(local.requests.map((r) => r.action)).toEqual(['models_pull', 'models_use']);
    expect(local.requests[1]).toEqual({ action: 'models_use', name: 'm', precision: 'int4' });
    expect(log).toEqual(['restart']);
  });

  it('use with another precision than the settings: the setting follows (saving it restarts the daemon), no second restart', async () => {
    const local = port('local', { models_use: { status: 'ok', active: 'm-fp32', dir: '/d' } });
    const { m, log } = manager({ local, settings: { modelVariant: 'int4' } });
    expect(await m.use({ name: 'm', precision: 'fp32' })).toEqual({ ok: true, active: 'm-fp32', warning: null });
    expect(log).toEqual(['settings {"modelVariant":"fp32"}']);
  });

  it('use through a running daemon: it reloads the engine itself; a folder installed by hand keeps the settings', async () => {
    const daemon = port('daemon', {
      models_use: { status: 'ok', active: 'my-export', dir: '/d', warning: 'Q3TTS_MODEL_DIR is set' },
    });
    const { m, log } = manager({ daemon });
    expect(await m.use({ name: 'my-export', precision: null })).toEqual({
      ok: true,
      active: 'my-export',
      warning: 'Q3TTS_MODEL_DIR is set',
    });
    expect(daemon.requests).toEqual([{ action: 'models_use', name: 'my-export' }]);
    expect(log).toEqual([]);
  });

  it('a download that cannot be made active is still a success, with the reason', async () => {
    const daemon = port('daemon', {
      models_pull: { status: 'ok', folder: 'm-fp32', active: false },
      models_use: { status: 'error', code: 'E_ENGINE', message: 'cannot load it' },
    });
    const { m } = manager({ daemon, settings: { modelVariant: 'fp32' } });
    expect(await m.pull({ name: 'm', precision: 'fp32', activate: true })).toEqual({
      ok: true,
      folder: 'm-fp32',
      active: false,
      warning: 'Downloaded, but it could not be made active: cannot load it',
    });
  });

  it('cancel goes where the download runs, even when a daemon came up since', async () => {
    let finish!: (a: Answer) => void;
    const local = port('local', {
      models_pull: () => new Promise<Answer>((r) => (finish = r)),
      models_cancel: { status: 'ok', cancelled: 1 },
    });
    const daemon = port('daemon', { models_cancel: { status: 'ok', cancelled: 0 } });
    let up: ModelsPort | null = null;
    const m = new ModelManager({
      daemon: () => up,
      local,
      settings: { get: () => DEFAULT_SETTINGS, update: () => undefined },
      restartService: () => undefined,
      onEvent: () => undefined,
    });
    const pulling = m.pull({ name: 'm', precision: 'int4', activate: false });
    up = daemon;
    expect(await m.cancel({ name: 'm', precision: 'int4' })).toEqual({ ok: true, cancelled: 1 });
    finish({ status: 'error', code: 'E_CANCELLED', message: 'cancelled; the partial download is kept' });
    expect(await pulling).toMatchObject({ ok: false, reason: 'cancelled' });
    // Nothing running any more: the current port.
    expect(await m.cancel({ name: 'm', precision: 'int4' })).toEqual({ ok: true, cancelled: 0 });
    expect(daemon.requests).toEqual([{ action: 'models_cancel', name: 'm', precision: 'int4' }]);
  });

  it('remove deletes an installed folder in the root the daemon lists; never the one in use, nor one downloading', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'q3tts-app-remove-'));
    try {
      for (const f of ['m-int4', 'm-fp32']) {
        mkdirSync(path.join(root, f), { recursive: true });
        writeFileSync(path.join(root, f, 'config.json'), '{}');
      }
      const entry = (precision: string, active: boolean) => ({
        name: 'm',
        precision,
        folder: `m-${precision}`,
        title: 'M',
        installed: true,
        active,
        bytes: 2,
        approx: false,
        partial_bytes: null,
      });
      let pulls: unknown[] = [];
      const daemon = port('daemon', {
        models: () =>
          Promise.resolve({
            status: 'ok',
            root,
            active: 'm-int4',
            override: null,
            models: [entry('int4', true), entry('fp32', false)],
            pulls,
          }),
      });
      const { m } = manager({ daemon });
      expect(await m.remove({ name: 'm', precision: 'int4' })).toEqual({
        ok: false,
        code: 'E_BUSY',
        message: 'M (int4) is the model in use: use another one first',
      });
      pulls = [{ folder: 'm-fp32', done_bytes: 1 }];
      expect(await m.remove({ name: 'm', precision: 'fp32' })).toEqual({
        ok: false,
        code: 'E_BUSY',
        message: 'M (fp32) is being downloaded',
      });
      pulls = [];
      expect(await m.remove({ name: 'other', precision: null })).toMatchObject({ ok: false, code: 'E_NO_MODEL' });
      expect(await m.remove({ name: 'm', precision: 'fp32' })).toEqual({ ok: true, removed: 'm-fp32', bytes: 2 });
      expect(existsSync(path.join(root, 'm-fp32'))).toBe(false);
      expect(existsSync(path.join(root, 'm-int4'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
