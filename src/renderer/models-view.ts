// The Models view's logic, pure so it is table-tested: byte/speed/time wording, the catalog as choices,
// the download panel's state machine (start → progress → installed → done; cancel; fail) and what the
// panel shows in each state.
import type {
  ModelEvent,
  ModelInfo,
  ModelsSnapshot,
  Precision,
  PullError,
  PullFailure,
  PullOutcome,
  PullProgress,
} from '../shared/bridge.js';
import { formatBytes } from '../shared/bytes.js';

export const formatSpeed = (bps: number): string => `${formatBytes(bps)}/s`;

export function formatTimeLeft(s: number | null): string {
  if (s === null) return 'waiting for data';
  if (s <= 0) return 'almost done';
  if (s < 60) return `${Math.ceil(s)} s left`;
  if (s < 3600) return `about ${Math.round(s / 60)} min left`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

export function percentOf(done: number, total: number | null): number | null {
  if (!total || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

export interface Progress {
  doneBytes: number;
  totalBytes: number | null;
  speedBps: number;
  etaS: number | null;
}

/** "12.3 MB of 33.6 MB (36 %) · 2.4 MB/s · 9 s left" */
export function progressLine(p: Progress): string {
  const pct = percentOf(p.doneBytes, p.totalBytes);
  const amount = p.totalBytes
    ? `${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)} (${pct} %)`
    : `${formatBytes(p.doneBytes)}`;
  return `${amount} · ${formatSpeed(p.speedBps)} · ${formatTimeLeft(p.etaS)}`;
}

export interface PrecisionChoice {
  precision: Precision;
  folder: string;
  bytes: number | null;
  approx: boolean;
  installed: boolean;
  active: boolean;
  partialBytes: number | null;
}

export interface ModelChoice {
  name: string;
  title: string;
  precisions: PrecisionChoice[];
}

/** The catalog's models (not hand-installed folders), each with its precisions, in catalog order. */
export function catalogChoices(snapshot: ModelsSnapshot): ModelChoice[] {
  const byName = new Map<string, ModelChoice>();
  for (const m of snapshot.models) {
    if (m.title === null || m.precision === null) continue;
    let choice = byName.get(m.name);
    if (!choice) byName.set(m.name, (choice = { name: m.name, title: m.title, precisions: [] }));
    choice.precisions.push({
      precision: m.precision,
      folder: m.folder,
      bytes: m.bytes,
      approx: m.approx,
      installed: m.installed,
      active: m.active,
      partialBytes: m.partialBytes,
    });
  }
  return [...byName.values()];
}

export const installedModels = (snapshot: ModelsSnapshot): ModelInfo[] => snapshot.models.filter((m) => m.installed);

/** "about 2.3 GB", "33.6 MB", "size unknown" */
export function sizeLabel(c: Pick<PrecisionChoice, 'bytes' | 'approx'>): string {
  if (c.bytes === null) return 'size unknown';
  return `${c.approx ? 'about ' : ''}${formatBytes(c.bytes)}`;
}

/** A staging folder holding only its bookkeeping (lock, state file) is nothing to resume. */
const MIN_PARTIAL = 4096;
const partial = (c: PrecisionChoice): number | null =>
  c.partialBytes !== null && c.partialBytes >= MIN_PARTIAL ? c.partialBytes : null;

/**
 * The choice as the panel shows it: once a download has its plan, the Hub's exact size replaces the catalog's
 * estimate; while it runs, the progress line (not "already downloaded") says what is on disk.
 */
export function shownChoice(c: PrecisionChoice | null, s: PanelState): PrecisionChoice | null {
  if (!c || s.folder !== c.folder || !s.progress?.totalBytes || s.phase === 'idle') return c;
  return { ...c, bytes: s.progress.totalBytes, approx: false, partialBytes: busy(s.phase) ? null : c.partialBytes };
}

/** The line under the choices: what the download takes and what the disk has. */
export function spaceLine(c: PrecisionChoice | null, freeBytes: number | null): string {
  if (!c) return '';
  if (c.installed) return `Installed (${formatBytes(c.bytes ?? 0)})${c.active ? ', in use' : ''}.`;
  const parts = [`Download: ${sizeLabel(c)}`];
  const had = partial(c);
  if (had) parts.push(`${formatBytes(had)} already downloaded`);
  if (freeBytes !== null) parts.push(`${formatBytes(freeBytes)} free on disk`);
  let line = parts.join(' · ');
  if (freeBytes !== null && c.bytes !== null && freeBytes < c.bytes - (had ?? 0)) line += ' — not enough space';
  return line;
}

// --- the download panel ---

export type PanelPhase =
  'idle' | 'starting' | 'downloading' | 'cancelling' | 'activating' | 'done' | 'cancelled' | 'failed';

export interface PanelState {
  phase: PanelPhase;
  /** The folder being (or last) downloaded. */
  folder: string | null;
  progress: Progress | null;
  /** The last resume/retry/checksum note. */
  note: string | null;
  error: PullError | null;
  /** Success with a caveat (downloaded but not made active). */
  warning: string | null;
}

export const IDLE: PanelState = { phase: 'idle', folder: null, progress: null, note: null, error: null, warning: null };

export type PanelAction =
  | { type: 'start'; folder: string }
  | { type: 'cancel' }
  | { type: 'event'; event: ModelEvent }
  | { type: 'outcome'; folder: string; outcome: PullOutcome }
  /** The listing shows a download running that this window did not start (opened mid-download). */
  | { type: 'running'; pull: PullProgress }
  /** The user picked another model or precision: forget the last result. */
  | { type: 'reset' };

const busy = (p: PanelPhase) => p === 'starting' || p === 'downloading' || p === 'cancelling' || p === 'activating';

export function reducePanel(s: PanelState, a: PanelAction): PanelState {
  switch (a.type) {
    case 'start':
      if (busy(s.phase)) return s;
      return { ...IDLE, phase: 'starting', folder: a.folder };
    case 'cancel':
      return s.phase === 'starting' || s.phase === 'downloading' ? { ...s, phase: 'cancelling' } : s;
    case 'reset':
      return busy(s.phase) ? s : IDLE;
    case 'running':
      if (busy(s.phase) && s.folder !== a.pull.folder) return s;
      if (busy(s.phase)) return s.progress ? s : { ...s, progress: { ...a.pull } };
      return { ...IDLE, phase: 'downloading', folder: a.pull.folder, progress: { ...a.pull } };
    case 'outcome':
      return finish(s, a.folder, a.outcome);
    case 'event': {
      const e = a.event;
      if (s.folder !== e.folder) {
        // A download this window did not start (the tray's window was closed and reopened): follow it when idle.
        if (busy(s.phase) || e.type === 'finished') return s;
        s = { ...IDLE, phase: 'downloading', folder: e.folder };
      }
      switch (e.type) {
        case 'plan':
          return {
            ...s,
            phase: s.phase === 'cancelling' ? s.phase : 'downloading',
            progress: { doneBytes: e.haveBytes, totalBytes: e.totalBytes, speedBps: 0, etaS: null },
          };
        case 'progress':
          return {
            ...s,
            phase: s.phase === 'starting' ? 'downloading' : s.phase,
            progress: { doneBytes: e.doneBytes, totalBytes: e.totalBytes, speedBps: e.speedBps, etaS: e.etaS },
          };
        case 'note':
          return { ...s, note: e.message };
        case 'installed':
          return {
            ...s,
            phase: 'activating',
            progress: { doneBytes: e.totalBytes, totalBytes: e.totalBytes, speedBps: 0, etaS: 0 },
          };
        case 'finished':
          return finish(s, e.folder, e.outcome);
      }
    }
  }
}

function finish(s: PanelState, folder: string, outcome: PullOutcome): PanelState {
  // The answer names the installed folder; a download still starting may not have heard its plan yet.
  if (s.folder !== null && s.folder !== folder && !(s.phase === 'starting' || s.phase === 'cancelling')) return s;
  if (!busy(s.phase)) return s; // already finished (the push and the answer both report it)
  if (outcome.ok) return { ...s, folder, phase: 'done', warning: outcome.warning, note: null };
  if (outcome.reason === 'cancelled') return { ...s, phase: 'cancelled', note: null };
  return { ...s, phase: 'failed', error: outcome, note: null };
}

export const ERROR_TEXT: Record<PullFailure, { title: string; hint: string }> = {
  network: {
    title: 'No connection to the Hugging Face Hub.',
    hint: 'Check the network (or HF_ENDPOINT) and try again: the download continues where it stopped.',
  },
  auth: {
    title: 'The Hub refused access (401/403).',
    hint: "Set HF_TOKEN to a Hugging Face access token with read access (and accept the model's terms on its page), then restart q3tts.",
  },
  'not-found': {
    title: 'Not found on the Hub (404).',
    hint: 'The model or one of its files is not where the catalog says: check HF_ENDPOINT, or update q3tts.',
  },
  disk: { title: 'Not enough disk space.', hint: 'Free some space and try again: what was downloaded is kept.' },
  checksum: {
    title: 'A file failed its checksum twice.',
    hint: 'It was deleted. A proxy or mirror may be serving a different file.',
  },
  busy: {
    title: 'This model is already being downloaded.',
    hint: "A 'q3tts models pull' of it is running in a terminal: wait for it to finish.",
  },
  cancelled: { title: 'Download cancelled.', hint: '' },
  other: { title: 'The download failed.', hint: '' },
};

export interface PanelView {
  /** The main button: Download, Resume download, Try again; null when the choice is installed (nothing to do). */
  action: string | null;
  actionEnabled: boolean;
  /** The choices (model, precision) can be changed. */
  choicesEnabled: boolean;
  cancelVisible: boolean;
  cancelEnabled: boolean;
  progressVisible: boolean;
  /** 0–100 for the bar; null: indeterminate. */
  percent: number | null;
  /** Bytes, percentage, speed, time left. */
  progressText: string;
  /** One sentence about the phase, announced to screen readers when it changes. */
  phaseText: string;
  error: { title: string; hint: string; detail: string } | null;
}

export function panelView(s: PanelState, choice: PrecisionChoice | null): PanelView {
  const running = busy(s.phase);
  const resumable =
    s.phase === 'cancelled' || (s.phase !== 'failed' && !running && !!choice && partial(choice) !== null);
  const action =
    choice?.installed && !running && s.phase !== 'done'
      ? null
      : s.phase === 'failed'
        ? 'Try again'
        : resumable
          ? 'Resume download'
          : 'Download';
  const phaseText: Record<PanelPhase, string> = {
    idle: '',
    starting: 'Starting the download…',
    downloading: 'Downloading…',
    cancelling: 'Cancelling…',
    activating: 'Downloaded and verified — loading the model…',
    done: s.warning ?? 'Done: the model is installed.',
    cancelled: 'Download cancelled. What was downloaded is kept: Resume continues from there.',
    failed: 'The download stopped.',
  };
  const p = s.progress;
  return {
    action: s.phase === 'done' ? null : action,
    actionEnabled: !running && choice !== null,
    choicesEnabled: !running,
    cancelVisible: running,
    cancelEnabled: s.phase === 'starting' || s.phase === 'downloading',
    progressVisible: s.phase !== 'idle' && p !== null && s.phase !== 'done',
    percent: p ? percentOf(p.doneBytes, p.totalBytes) : null,
    progressText: p && s.phase !== 'activating' ? progressLine(p) : p ? `${formatBytes(p.doneBytes)} downloaded` : '',
    phaseText: phaseText[s.phase],
    error: s.error ? { ...ERROR_TEXT[s.error.reason], detail: s.error.message } : null,
  };
}
