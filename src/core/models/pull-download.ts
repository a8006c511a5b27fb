// The second phase of a pull: download the planned files in parallel into the staging folder (largest first),
// each verified as it lands and fetched once more on a checksum mismatch, with progress events and the staging
// state saved after every file so an interruption loses at most the files in flight.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { downloadFile, writeChunk } from './download.js';
import { cancelledError, ModelError } from './errors.js';
import type { HubFile } from './hub.js';
import { ProgressTracker } from './progress.js';
import type { PullContext } from './pull.js';
import type { PullPlan } from './pull-plan.js';
import { STATE_FILE, writeJsonAtomic } from './pull-state.js';

/** Downloads what `plan` lacks; returns the bytes on disk at the end (those it already had included). */
export async function downloadPlan(ctx: PullContext, plan: PullPlan): Promise<number> {
  const { options, model, staging, hub, signal, emit } = ctx;
  const { files, state, revision } = plan;
  const tracker = new ProgressTracker(plan.total, plan.have);
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
  return tracker.doneBytes;
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
