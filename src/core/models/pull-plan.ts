// The first phase of a pull: pin the revision to one commit, list the files this precision needs, check the
// repository has the layout the engine loads, count what an interrupted pull already has, and check free space.
import { existsSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileMatcher, requiredFiles } from './catalog.js';
import { cancelledError, ModelError } from './errors.js';
import { isRetryable, type HubFile } from './hub.js';
import type { PullContext, PullEvent, PullOptions } from './pull.js';
import { readState, type StagingState } from './pull-state.js';
import { errorMessage } from '../../shared/errors.js';

export interface PullPlan {
  /** The commit the pull is pinned to (null: the Hub did not say). */
  commit: string | null;
  /** What files are fetched at: the commit, else the catalog's revision. */
  revision: string;
  files: HubFile[];
  state: StagingState;
  /** Bytes already on disk from an interrupted pull. */
  have: number;
  total: number;
}

export async function freeBytesAt(dir: string): Promise<number> {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  const s = await statfs(at);
  return s.bavail * s.bsize;
}

export async function planPull(ctx: PullContext): Promise<PullPlan> {
  const { options, model, precision, folder, staging, hub, signal, emit } = ctx;
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
    throw new ModelError('no_space', `${ctx.what} needs ${total - have} more bytes (plus ${reserve} spare) but only ${free} are free on the disk holding ${options.root}`);
  }
  return { commit, revision, files, state, have, total };
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
