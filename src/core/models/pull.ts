// `pull`: plan (file list, total size, free space), download in parallel into the staging folder, verify
// each file, then install atomically. Interrupted pulls resume from their .part files.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultCatalog, fileMatcher, findModel, parsePrecision, requiredFiles, type Catalog, type Precision } from './catalog.js';
import { downloadFile, writeChunk, type DownloadEvent, type WriteChunk } from './download.js';
import { cancelledError, ModelError } from './errors.js';
import { Hub, hubOptionsFromEnv, isRetryable, type HubFile } from './hub.js';
import { acquireLock } from './lock.js';
import { folderName, MANIFEST_FILE, ModelsLayout, type Manifest } from './layout.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';
import { errorMessage } from '../../shared/errors.js';
import { writeFileAtomic } from '../atomic-file.js';

export type PullEvent =
  | {
      type: 'plan';
      name: string;
      precision: Precision;
      folder: string;
      repo: string;
      revision: string;
      commit: string | null;
      files: number;
      total_bytes: number;
      /** Already on disk from an interrupted pull. */
      have_bytes: number;
      free_bytes: number;
    }
  | ({ type: 'progress'; files_done: number; files_total: number } & ProgressSnapshot)
  | { type: 'file'; path: string; size: number }
  | { type: 'checksum'; path: string; message: string; refetch: boolean }
  | DownloadEvent
  | { type: 'installed'; folder: string; dir: string; total_bytes: number; downloaded_bytes: number; seconds: number; active: boolean };

export interface PullOptions {
  /** <data>/models */
  root: string;
  name: string;
  precision?: string | undefined;
  catalog?: Catalog;
  /** HF_ENDPOINT / HF_TOKEN are read from here (default process.env). */
  env?: Record<string, string | undefined>;
  /** Files downloaded at once (default 3). */
  concurrency?: number;
  /** No byte for this long aborts a request, which is then retried (default 30 s). */
  stallTimeoutMs?: number;
  /** Retries in a row without progress, per file (default 5); backoff doubles from retryBaseMs to retryMaxMs. */
  retries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often a progress event is sent (default 250 ms). */
  progressIntervalMs?: number;
  /** Free space to leave on the disk beyond the download (default 64 MiB). */
  reserveBytes?: number;
  /** Test seam: free bytes at a directory (default: fs.statfs). */
  freeBytes?: (dir: string) => Promise<number>;
  /** Test seam: how chunks reach the disk (inject one that throws ENOSPC to simulate a full disk). */
  write?: WriteChunk;
  signal?: AbortSignal;
  onEvent?: (event: PullEvent) => void;
}

export interface PullResult {
  folder: string;
  dir: string;
  manifest: Manifest;
  downloadedBytes: number;
  active: boolean;
}

/** What a resumed pull already has: completed files (verified) of the same commit. */
interface StagingState {
  commit: string | null;
  revision: string;
  done: Record<string, { size: number; sha256: string }>;
}
const STATE_FILE = '.q3tts-pull.json';

export async function freeBytesAt(dir: string): Promise<number> {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  const s = await statfs(at);
  return s.bavail * s.bsize;
}

export async function pullModel(options: PullOptions): Promise<PullResult> {
  const started = performance.now();
  const catalog = options.catalog ?? defaultCatalog();
  const model = findModel(catalog, options.name);
  const precision = parsePrecision(options.precision, model);
  const folder = folderName(model.name, precision);
  const layout = new ModelsLayout(options.root);
  const staging = layout.stagingDir(folder);
  const emit = options.onEvent ?? (() => undefined);
  const signal = options.signal ?? new AbortController().signal;
  const hub = new Hub({ ...hubOptionsFromEnv(options.env ?? process.env), stallTimeoutMs: options.stallTimeoutMs ?? 30_000 });
  const what = `${model.name} (${precision})`;

  if (signal.aborted) throw cancelledError();
  const release = await acquireLock(staging, what);
  try {
    // Pin the pull to one commit, so a branch that moves mid-pull cannot mix two versions.
    const retry = <T>(what: string, f: () => Promise<T>) => withRetries(what, f, options, signal, emit);
    const commit = await retry('revision', () => hub.commitOf(model.repo, model.revision, signal));
    const revision = commit ?? model.revision;
    const wanted = fileMatcher(model, precision);
    // A mirror names the paths: none may leave the staging folder.
    const safe = (p: string) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..');
    const files = (await retry('file list', () => hub.tree(model.repo, revision, signal))).filter((f) => safe(f.path) && wanted(f.path));
    const missing = requiredFiles(model, precision).filter((p) => !files.some((f) => f.path === p));
    if (missing.length) {
      throw new ModelError(
        'layout',
        `${model.repo}@${model.revision} lacks ${missing.length} file${missing.length > 1 ? 's' : ''} q3tts needs (${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''}): ` +
          `its layout is not the one the engine loads (docs/model-layout.md)${model.layout_verified ? '' : '; this catalog entry is unverified'}`,
      );
    }

    const state = await readState(staging, commit, model.revision);
    let have = 0;
    for (const f of files) {
      const done = state.done[f.path];
      if (done && done.size === f.size && existsSync(path.join(staging, f.path))) have += f.size;
      else if (existsSync(path.join(staging, `${f.path}.part`))) have += Math.min(f.size, (await stat(path.join(staging, `${f.path}.part`))).size);
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    const free = await (options.freeBytes ?? freeBytesAt)(staging);
    emit({ type: 'plan', name: model.name, precision, folder, repo: model.repo, revision: model.revision, commit, files: files.length, total_bytes: total, have_bytes: have, free_bytes: free });
    const reserve = options.reserveBytes ?? 64 * 1024 * 1024;
    if (free < total - have + reserve) {
      throw new ModelError('no_space', `${what} needs ${total - have} more bytes (plus ${reserve} spare) but only ${free} are free on the disk holding ${options.root}`);
    }

    const tracker = new ProgressTracker(total, have);
    let filesDone = 0;
    const progress = () => emit({ type: 'progress', files_done: filesDone, files_total: files.length, ...tracker.snapshot() });
    const timer = setInterval(progress, options.progressIntervalMs ?? 250);
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let saving = Promise.resolve();
    const saveState = () => (saving = saving.then(() => writeJsonAtomic(path.join(staging, STATE_FILE), state)));

    const one = async (f: HubFile): Promise<void> => {
      const dest = path.join(staging, f.path);
      const done = state.done[f.path];
      if (done && done.size === f.size && existsSync(dest)) {
        filesDone++;
        return;
      }
      const download = () =>
        downloadFile(f, dest, {
          hub,
          repo: model.repo,
          revision,
          retries: options.retries ?? 5,
          retryBaseMs: options.retryBaseMs ?? 1000,
          retryMaxMs: options.retryMaxMs ?? 30_000,
          write: options.write ?? writeChunk,
          onBytes: (n) => tracker.add(n),
          onEvent: emit,
          signal: inner.signal,
        });
      let sha256: string;
      try {
        sha256 = await download();
      } catch (err) {
        if (!(err instanceof ModelError && err.kind === 'checksum')) throw err;
        // Once more from scratch (the bad file is gone); a second mismatch is the Hub's or a proxy's fault.
        emit({ type: 'checksum', path: f.path, message: err.message, refetch: true });
        try {
          sha256 = await download();
        } catch (again) {
          if (!(again instanceof ModelError && again.kind === 'checksum')) throw again;
          emit({ type: 'checksum', path: f.path, message: again.message, refetch: false });
          throw new ModelError('checksum', `${again.message}, twice in a row: the file was deleted. A proxy or mirror (HF_ENDPOINT) may be serving a different file`);
        }
      }
      state.done[f.path] = { size: f.size, sha256 };
      filesDone++;
      emit({ type: 'file', path: f.path, size: f.size });
      await saveState();
    };

    try {
      await runPool([...files].sort((a, b) => b.size - a.size), options.concurrency ?? 3, one, inner);
    } finally {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      await saving.catch(() => undefined);
    }
    if (signal.aborted) throw cancelledError();
    progress();

    const manifest: Manifest = {
      format: 1,
      name: model.name,
      precision,
      repo: model.repo,
      revision: model.revision,
      commit,
      installed_at: new Date().toISOString(),
      files: files.map((f) => ({ path: f.path, size: f.size, sha256: state.done[f.path]!.sha256 })).sort((a, b) => a.path.localeCompare(b.path)),
    };
    await writeJsonAtomic(path.join(staging, MANIFEST_FILE), manifest);
    await rm(path.join(staging, STATE_FILE), { force: true });
    await release();
    const dir = await layout.install(folder);
    // The first model pulled becomes the active one; later pulls leave the user's choice alone.
    const current = layout.active();
    const active = !current || !existsSync(path.join(layout.dir(current), 'config.json'));
    if (active) await layout.setActive(folder);
    const downloaded = tracker.doneBytes - have;
    emit({ type: 'installed', folder, dir, total_bytes: total, downloaded_bytes: downloaded, seconds: Math.round((performance.now() - started) / 100) / 10, active: active || current === folder });
    return { folder, dir, manifest, downloadedBytes: downloaded, active: active || current === folder };
  } finally {
    await release();
  }
}

/** Metadata requests get the same retry policy as file downloads (resets, timeouts, 5xx, 429). */
async function withRetries<T>(what: string, f: () => Promise<T>, o: PullOptions, signal: AbortSignal, emit: (e: PullEvent) => void): Promise<T> {
  const retries = o.retries ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (err) {
      if (signal.aborted) throw cancelledError();
      // Not reaching the Hub at all is most likely no network: say so after two tries, not after minutes.
      const limit = err instanceof ModelError && err.unreachable ? Math.min(retries, 2) : retries;
      if (!isRetryable(err) || attempt > limit) throw err;
      const delay = Math.min(o.retryMaxMs ?? 30_000, (o.retryBaseMs ?? 1000) * 2 ** (attempt - 1));
      emit({ type: 'retry', path: what, attempt, delay_ms: delay, reason: errorMessage(err) });
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw cancelledError();
      }
    }
  }
}

/** Runs `work` over items, `limit` at a time; the first failure aborts the rest and is rethrown once all have stopped. */
async function runPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>, abort: AbortController): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && !abort.signal.aborted) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        if (failure === undefined) failure = err;
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) {
    // A cancelled sibling reports 'cancelled'; the first real cause is what the user needs.
    throw failure;
  }
}

async function readState(staging: string, commit: string | null, revision: string): Promise<StagingState> {
  const file = path.join(staging, STATE_FILE);
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as StagingState;
    if (s.commit === commit && s.revision === revision && s.done && typeof s.done === 'object') return s;
  } catch {
    // none yet, or unreadable: start clean
  }
  if (existsSync(staging)) {
    // Parts of another commit would only fail their checksums: clear them (the lock file stays).
    for (const e of await readdir(staging)) if (e !== '.lock') await rm(path.join(staging, e), { recursive: true, force: true });
  }
  const fresh: StagingState = { commit, revision, done: {} };
  await mkdir(staging, { recursive: true });
  await writeJsonAtomic(file, fresh);
  return fresh;
}

function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
