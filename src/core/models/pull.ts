// `pull`: plan (file list, total size, free space: pull-plan.ts), download in parallel into the staging folder,
// verifying each file (pull-download.ts), then install atomically (here). Interrupted pulls resume from their
// .part files and the staging state (pull-state.ts).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultCatalog, findModel, parsePrecision, type Catalog, type CatalogModel, type Precision } from './catalog.js';
import type { DownloadEvent, WriteChunk } from './download.js';
import { cancelledError } from './errors.js';
import { Hub, hubOptionsFromEnv } from './hub.js';
import { acquireLock } from './lock.js';
import { folderName, MANIFEST_FILE, ModelsLayout, type Manifest } from './layout.js';
import type { ProgressSnapshot } from './progress.js';
import { downloadPlan } from './pull-download.js';
import { planPull, type PullPlan } from './pull-plan.js';
import { STATE_FILE, writeJsonAtomic } from './pull-state.js';

// Part of the pull interface: the app shows free space before it starts one (src/main/app/models.ts).
export { freeBytesAt } from './pull-plan.js';

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

/** What every phase of one pull works with. */
export interface PullContext {
  options: PullOptions;
  model: CatalogModel;
  precision: Precision;
  folder: string;
  staging: string;
  hub: Hub;
  signal: AbortSignal;
  emit: (event: PullEvent) => void;
  /** "name (precision)", for messages. */
  what: string;
}

export async function pullModel(options: PullOptions): Promise<PullResult> {
  const started = performance.now();
  const catalog = options.catalog ?? defaultCatalog();
  const model = findModel(catalog, options.name);
  const precision = parsePrecision(options.precision, model);
  const folder = folderName(model.name, precision);
  const layout = new ModelsLayout(options.root);
  const staging = layout.stagingDir(folder);
  const signal = options.signal ?? new AbortController().signal;
  const hub = new Hub({ ...hubOptionsFromEnv(options.env ?? process.env), stallTimeoutMs: options.stallTimeoutMs ?? 30_000 });
  const ctx: PullContext = { options, model, precision, folder, staging, hub, signal, emit: options.onEvent ?? (() => undefined), what: `${model.name} (${precision})` };

  if (signal.aborted) throw cancelledError();
  const release = await acquireLock(staging, ctx.what);
  try {
    const plan = await planPull(ctx);
    const doneBytes = await downloadPlan(ctx, plan);
    const manifest = await writeManifest(ctx, plan);
    await release();
    const dir = await layout.install(folder);
    // The first model pulled becomes the active one; later pulls leave the user's choice alone.
    const current = layout.active();
    const active = !current || !existsSync(path.join(layout.dir(current), 'config.json'));
    if (active) await layout.setActive(folder);
    const downloaded = doneBytes - plan.have;
    ctx.emit({ type: 'installed', folder, dir, total_bytes: plan.total, downloaded_bytes: downloaded, seconds: Math.round((performance.now() - started) / 100) / 10, active: active || current === folder });
    return { folder, dir, manifest, downloadedBytes: downloaded, active: active || current === folder };
  } finally {
    await release();
  }
}

/** Seals the staging folder: the manifest of what was verified, and no more pull state (nothing left to resume). */
async function writeManifest({ model, precision, staging }: PullContext, { commit, files, state }: PullPlan): Promise<Manifest> {
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
  return manifest;
}
