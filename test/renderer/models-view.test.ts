import { describe, expect, it } from 'vitest';
import type { ModelEvent, ModelsSnapshot, PullOutcome } from '../../src/shared/bridge.js';
import {
  IDLE,
  catalogChoices,
  formatSpeed,
  formatTimeLeft,
  panelView,
  percentOf,
  progressLine,
  reducePanel,
  shownChoice,
  spaceLine,
  type PanelAction,
  type PanelState,
  type PrecisionChoice,
} from '../../src/renderer/models-view.js';

describe('progress wording', () => {
  it.each([
    [0, '0 B/s'],
    [2_800_000, '2.8 MB/s'],
  ])('formatSpeed(%d) = %s', (n, s) => expect(formatSpeed(n)).toBe(s));

  it.each([
    [null, 'waiting for data'],
    [0, 'almost done'],
    [0.4, '1 s left'],
    [59, '59 s left'],
    [60, 'about 1 min left'],
    [150, 'about 3 min left'],
    [3600, 'about 1 h left'],
    [5400, 'about 1 h 30 min left'],
  ])('formatTimeLeft(%s) = %s', (s, text) => expect(formatTimeLeft(s)).toBe(text));

  it.each([
    [0, 100, 0],
    [50, 100, 50],
    [99.9, 100, 99], // never shows 100 % before it is
    [120, 100, 100],
    [5, 0, null],
    [5, null, null],
  ])('percentOf(%s, %s) = %s', (d, t, p) => expect(percentOf(d, t)).toBe(p));

  it('progressLine: bytes, percentage, speed, time left', () => {
    expect(progressLine({ doneBytes: 1_400_000, totalBytes: 33_600_000, speedBps: 2_800_000, etaS: 11 })).toBe(
      '1.4 MB of 33.6 MB (4 %) · 2.8 MB/s · 11 s left',
    );
    expect(progressLine({ doneBytes: 1_400_000, totalBytes: null, speedBps: 0, etaS: null })).toBe(
      '1.4 MB · 0 B/s · waiting for data',
    );
  });
});

const model = (over: Partial<ModelsSnapshot['models'][number]>): ModelsSnapshot['models'][number] => ({
  name: 'vd',
  precision: 'int4',
  folder: 'vd-int4',
  title: 'Voice design',
  sizeClass: '1.7B',
  installed: false,
  active: false,
  bytes: 5_240_000_000,
  approx: true,
  partialBytes: null,
  ...over,
});

describe('catalog choices and sizes', () => {
  it('groups the catalog by model in order, and leaves out folders installed by hand', () => {
    const snapshot: ModelsSnapshot = {
      models: [
        model({}),
        model({ precision: 'fp32', folder: 'vd-fp32', bytes: 13_480_000_000 }),
        model({ name: 'cv', title: 'Custom voice', folder: 'cv-int4', bytes: null }),
        model({ name: 'my-export', precision: null, folder: 'my-export', title: null, installed: true, approx: false }),
      ],
      active: null,
      override: null,
      root: '/data/models',
      freeBytes: 1e11,
      pulls: [],
    };
    const choices = catalogChoices(snapshot);
    expect(choices.map((c) => [c.name, c.precisions.map((p) => p.precision)])).toEqual([
      ['vd', ['int4', 'fp32']],
      ['cv', ['int4']],
    ]);
  });

  const c = (over: Partial<PrecisionChoice>): PrecisionChoice => ({
    precision: 'int4',
    folder: 'vd-int4',
    bytes: 5_240_000_000,
    approx: true,
    installed: false,
    active: false,
    partialBytes: null,
    ...over,
  });
  it.each([
    ['available', c({}), 80e9, 'Download: about 5.2 GB · 80.0 GB free on disk'],
    ['free space unknown', c({}), null, 'Download: about 5.2 GB'],
    ['size unknown', c({ bytes: null }), 80e9, 'Download: size unknown · 80.0 GB free on disk'],
    [
      'partly downloaded',
      c({ partialBytes: 1_200_000_000 }),
      80e9,
      'Download: about 5.2 GB · 1.2 GB already downloaded · 80.0 GB free on disk',
    ],
    ['disk too small', c({}), 2e9, 'Download: about 5.2 GB · 2.0 GB free on disk — not enough space'],
    [
      'partial makes it fit',
      c({ partialBytes: 4e9 }),
      2e9,
      'Download: about 5.2 GB · 4.0 GB already downloaded · 2.0 GB free on disk',
    ],
    [
      'only bookkeeping files staged: nothing to resume',
      c({ partialBytes: 101 }),
      80e9,
      'Download: about 5.2 GB · 80.0 GB free on disk',
    ],
    ['installed', c({ installed: true, approx: false, bytes: 33_600_000 }), 2e9, 'Installed (33.6 MB).'],
    [
      'installed and in use',
      c({ installed: true, active: true, approx: false, bytes: 33_600_000 }),
      2e9,
      'Installed (33.6 MB), in use.',
    ],
  ])('spaceLine: %s', (_name, choice, free, line) => expect(spaceLine(choice, free)).toBe(line));
});

describe('download panel state machine', () => {
  const F = 'vd-fp32';
  const plan: ModelEvent = { type: 'plan', folder: F, files: 12, totalBytes: 1000, haveBytes: 200, freeBytes: 1e9 };
  const progress = (done: number): ModelEvent => ({
    type: 'progress',
    folder: F,
    doneBytes: done,
    totalBytes: 1000,
    speedBps: 100,
    etaS: 5,
    filesDone: 1,
    filesTotal: 12,
  });
  const ok: PullOutcome = { ok: true, folder: F, active: true, warning: null };
  const cancelled: PullOutcome = { ok: false, code: 'E_CANCELLED', message: 'cancelled; …', reason: 'cancelled' };
  const refused: PullOutcome = { ok: false, code: 'E_DOWNLOAD', message: 'wants a login (401)', reason: 'auth' };
  const ev = (event: ModelEvent): PanelAction => ({ type: 'event', event });
  const run = (...actions: PanelAction[]): PanelState => actions.reduce(reducePanel, IDLE);

  it.each<[string, PanelAction[], Partial<PanelState>]>([
    ['start', [{ type: 'start', folder: F }], { phase: 'starting', folder: F, progress: null }],
    [
      'plan counts what is already on disk',
      [{ type: 'start', folder: F }, ev(plan)],
      { phase: 'downloading', progress: { doneBytes: 200, totalBytes: 1000, speedBps: 0, etaS: null } },
    ],
    [
      'progress',
      [{ type: 'start', folder: F }, ev(plan), ev(progress(600))],
      { phase: 'downloading', progress: { doneBytes: 600, totalBytes: 1000, speedBps: 100, etaS: 5 } },
    ],
    [
      'a note stays until the end',
      [
        { type: 'start', folder: F },
        ev({ type: 'note', folder: F, message: 'Resuming a from 10 bytes' }),
        ev(progress(300)),
      ],
      { note: 'Resuming a from 10 bytes' },
    ],
    [
      'installed, then being made active',
      [
        { type: 'start', folder: F },
        ev(progress(600)),
        ev({ type: 'installed', folder: F, totalBytes: 1000, downloadedBytes: 800, seconds: 2 }),
      ],
      { phase: 'activating', progress: { doneBytes: 1000, totalBytes: 1000, speedBps: 0, etaS: 0 } },
    ],
    [
      'done',
      [{ type: 'start', folder: F }, ev(progress(600)), { type: 'outcome', folder: F, outcome: ok }],
      { phase: 'done' },
    ],
    [
      'the push and the answer both report the end: once',
      [
        { type: 'start', folder: F },
        ev({ type: 'finished', folder: F, outcome: ok }),
        { type: 'outcome', folder: F, outcome: cancelled },
      ],
      { phase: 'done' },
    ],
    ['cancel', [{ type: 'start', folder: F }, ev(progress(600)), { type: 'cancel' }], { phase: 'cancelling' }],
    [
      'progress while cancelling does not un-cancel',
      [{ type: 'start', folder: F }, { type: 'cancel' }, ev(progress(700))],
      { phase: 'cancelling', progress: { doneBytes: 700, totalBytes: 1000, speedBps: 100, etaS: 5 } },
    ],
    [
      'cancelled',
      [
        { type: 'start', folder: F },
        ev(progress(600)),
        { type: 'cancel' },
        { type: 'outcome', folder: F, outcome: cancelled },
      ],
      { phase: 'cancelled', error: null },
    ],
    [
      'failed',
      [
        { type: 'start', folder: F },
        { type: 'outcome', folder: F, outcome: refused },
      ],
      { phase: 'failed', error: refused as PanelState['error'] },
    ],
    [
      'a second start while running is ignored',
      [{ type: 'start', folder: F }, ev(progress(600)), { type: 'start', folder: 'other' }],
      { phase: 'downloading', folder: F },
    ],
    [
      'start again after a failure clears the error',
      [
        { type: 'start', folder: F },
        { type: 'outcome', folder: F, outcome: refused },
        { type: 'start', folder: F },
      ],
      { phase: 'starting', error: null },
    ],
    [
      'another choice forgets the last result',
      [{ type: 'start', folder: F }, { type: 'outcome', folder: F, outcome: refused }, { type: 'reset' }],
      IDLE,
    ],
    ['but not a running download', [{ type: 'start', folder: F }, { type: 'reset' }], { phase: 'starting' }],
    [
      'events of another download are ignored while busy',
      [{ type: 'start', folder: F }, ev({ ...progress(900), folder: 'cv-int4' })],
      { folder: F, progress: null },
    ],
    ['an idle window follows a download it did not start', [ev(progress(400))], { phase: 'downloading', folder: F }],
    [
      'opened mid-download: the listing shows it',
      [{ type: 'running', pull: { folder: F, doneBytes: 300, totalBytes: 1000, speedBps: 50, etaS: 14 } }],
      {
        phase: 'downloading',
        folder: F,
        progress: { folder: F, doneBytes: 300, totalBytes: 1000, speedBps: 50, etaS: 14 } as never,
      },
    ],
    [
      'an answer for another folder leaves a running download alone',
      [{ type: 'start', folder: F }, ev(progress(100)), { type: 'outcome', folder: 'cv-int4', outcome: ok }],
      { phase: 'downloading' },
    ],
  ])('%s', (_name, actions, expected) => {
    expect(run(...actions)).toMatchObject(expected);
  });

  const choice: PrecisionChoice = {
    precision: 'fp32',
    folder: F,
    bytes: 1000,
    approx: true,
    installed: false,
    active: false,
    partialBytes: null,
  };
  // [state, choice, action label, action enabled, cancel visible, cancel enabled, progress visible, percent]
  it.each<
    [string, PanelState, PrecisionChoice | null, string | null, boolean, boolean, boolean, boolean, number | null]
  >([
    ['idle', IDLE, choice, 'Download', true, false, false, false, null],
    [
      'idle, partly downloaded before',
      IDLE,
      { ...choice, partialBytes: 300_000 },
      'Resume download',
      true,
      false,
      false,
      false,
      null,
    ],
    [
      'idle, only bookkeeping staged',
      IDLE,
      { ...choice, partialBytes: 300 },
      'Download',
      true,
      false,
      false,
      false,
      null,
    ],
    ['idle, already installed', IDLE, { ...choice, installed: true }, null, true, false, false, false, null],
    ['nothing to choose', IDLE, null, 'Download', false, false, false, false, null],
    ['starting', run({ type: 'start', folder: F }), choice, 'Download', false, true, true, false, null],
    [
      'downloading',
      run({ type: 'start', folder: F }, ev(progress(420))),
      choice,
      'Download',
      false,
      true,
      true,
      true,
      42,
    ],
    [
      'cancelling',
      run({ type: 'start', folder: F }, ev(progress(420)), { type: 'cancel' }),
      choice,
      'Download',
      false,
      true,
      false,
      true,
      42,
    ],
    [
      'cancelled',
      run(
        { type: 'start', folder: F },
        ev(progress(420)),
        { type: 'cancel' },
        { type: 'outcome', folder: F, outcome: cancelled },
      ),
      choice,
      'Resume download',
      true,
      false,
      false,
      true,
      42,
    ],
    [
      'failed',
      run({ type: 'start', folder: F }, { type: 'outcome', folder: F, outcome: refused }),
      choice,
      'Try again',
      true,
      false,
      false,
      false,
      null,
    ],
    [
      'done',
      run({ type: 'start', folder: F }, ev(progress(420)), { type: 'outcome', folder: F, outcome: ok }),
      { ...choice, installed: true },
      null,
      true,
      false,
      false,
      false,
      42,
    ],
  ])(
    'panelView: %s',
    (_name, state, c, action, actionEnabled, cancelVisible, cancelEnabled, progressVisible, percent) => {
      const v = panelView(state, c);
      expect([v.action, v.actionEnabled, v.cancelVisible, v.cancelEnabled, v.progressVisible, v.percent]).toEqual([
        action,
        actionEnabled,
        cancelVisible,
        cancelEnabled,
        progressVisible,
        percent,
      ]);
    },
  );

  it('shownChoice: once planned, the Hub size replaces the estimate; otherwise the choice as listed', () => {
    const listed: PrecisionChoice = { ...choice, bytes: 13_480_000_000, approx: true, partialBytes: 5000 };
    const planned = run({ type: 'start', folder: F }, ev(plan));
    expect(shownChoice(listed, planned)).toEqual({ ...listed, bytes: 1000, approx: false, partialBytes: null });
    expect(spaceLine(shownChoice(listed, planned), 1e9)).toBe('Download: 1.0 kB · 1.0 GB free on disk');
    expect(shownChoice(listed, run({ type: 'start', folder: F }))).toBe(listed); // no plan yet
    expect(shownChoice(listed, run({ type: 'start', folder: 'other' }, ev({ ...plan, folder: 'other' })))).toBe(listed);
    expect(shownChoice(null, planned)).toBeNull();
    // Stopped: the exact size, and what is there to resume.
    const cancelledAt = run(
      { type: 'start', folder: F },
      ev(plan),
      { type: 'cancel' },
      { type: 'outcome', folder: F, outcome: cancelled },
    );
    expect(shownChoice(listed, cancelledAt)).toEqual({ ...listed, bytes: 1000, approx: false });
  });

  it('panelView: errors get a title, what to do, and the daemon message', () => {
    const v = panelView(run({ type: 'start', folder: F }, { type: 'outcome', folder: F, outcome: refused }), choice);
    expect(v.error).toEqual({
      title: 'The Hub refused access (401/403).',
      hint: expect.stringMatching(/HF_TOKEN/),
      detail: 'wants a login (401)',
    });
    expect(v.phaseText).toBe('The download stopped.');
  });

  it('panelView: a success with a caveat says so', () => {
    const v = panelView(
      run(
        { type: 'start', folder: F },
        { type: 'outcome', folder: F, outcome: { ...ok, warning: 'Downloaded, but it could not be made active: E' } },
      ),
      choice,
    );
    expect(v.phaseText).toBe('Downloaded, but it could not be made active: E');
  });
});
