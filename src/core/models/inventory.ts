// Installed vs available models, and the operations on installed ones: use, remove, verify.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { approxBytes, findModel, PRECISIONS, type Catalog, type CatalogModel, type Precision } from './catalog.js';
import { ModelError } from './errors.js';
import { folderName, ModelsLayout } from './layout.js';
import type { ModelEntry, ModelsListing } from '../../shared/actions.js';

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += statSync(path.join(e.parentPath, e.name)).size;
  }
  return n;
}

export function listModels(catalog: Catalog, layout: ModelsLayout, env: Record<string, string | undefined> = {}): ModelsListing {
  const installed = new Set(layout.installedFolders());
  const active = layout.active() ?? null;
  const models: ModelEntry[] = [];
  for (const m of catalog.models) {
    for (const p of PRECISIONS) {
      if (!m.precisions[p]) continue;
      const folder = folderName(m.name, p);
      const has = installed.delete(folder);
      const manifest = has ? layout.readManifest(folder) : undefined;
      const staging = layout.stagingDir(folder);
      models.push({
        name: m.name,
        precision: p,
        folder,
        title: m.title,
        repo: m.repo,
        variant: m.variant,
        size_class: m.size_class,
        installed: has,
        active: has && active === folder,
        bytes: has ? (manifest ? manifest.files.reduce((n, f) => n + f.size, 0) : dirBytes(layout.dir(folder))) : approxBytes(m, p),
        approx: !has,
        dir: has ? layout.dir(folder) : null,
        partial_bytes: existsSync(staging) ? dirBytes(staging) : null,
      });
    }
  }
  for (const folder of installed) {
    const manifest = layout.readManifest(folder);
    models.push({
      name: folder,
      precision: manifest?.precision ?? null,
      folder,
      title: null,
      repo: manifest?.repo ?? null,
      variant: null,
      size_class: null,
      installed: true,
      active: active === folder,
      bytes: dirBytes(layout.dir(folder)),
      approx: false,
      dir: layout.dir(folder),
      partial_bytes: null,
    });
  }
  return { root: layout.root, active, override: env.Q3TTS_MODEL_DIR || null, models };
}

/**
 * The installed folder a name means: a folder name as is; a catalog name (or repo id) with the given
 * precision, else its only installed precision, else its default one.
 */
export function resolveInstalled(catalog: Catalog, layout: ModelsLayout, name: string, precision?: string): string {
  const folders = layout.installedFolders();
  if (!precision && folders.includes(name)) return name;
  let model: CatalogModel;
  try {
    model = findModel(catalog, name);
  } catch {
    throw new ModelError('not_installed', `no installed model is called '${name}'. Installed: ${folders.join(', ') || 'none'} (see 'q3tts models list')`);
  }
  if (precision !== undefined && !(PRECISIONS as readonly string[]).includes(precision)) throw new ModelError('usage', `unknown precision '${precision}' (int4 or fp32)`);
  const candidates = PRECISIONS.filter((p) => (precision === undefined || p === precision) && folders.includes(folderName(model.name, p)));
  if (candidates.length === 0) {
    throw new ModelError('not_installed', `${model.name}${precision ? ` (${precision})` : ''} is not installed: get it with 'q3tts models pull ${model.name}${precision ? ` --precision ${precision}` : ''}'`);
  }
  const chosen = candidates.length === 1 ? candidates[0]! : candidates.includes(model.default_precision) ? model.default_precision : candidates[0]!;
  return folderName(model.name, chosen);
}

export async function useModel(catalog: Catalog, layout: ModelsLayout, name: string, precision?: string): Promise<{ folder: string; dir: string; precision: Precision | null }> {
  const folder = resolveInstalled(catalog, layout, name, precision);
  await layout.setActive(folder);
  const p = layout.readManifest(folder)?.precision ?? (PRECISIONS.find((x) => folder.endsWith(`-${x}`)) ?? null);
  return { folder, dir: layout.dir(folder), precision: p };
}

/** Removes an installed model (and any interrupted pull of it); clears `active` when it named it. */
export async function removeModel(catalog: Catalog, layout: ModelsLayout, name: string, precision?: string): Promise<{ folder: string; bytes: number; wasActive: boolean }> {
  let folder: string;
  try {
    folder = resolveInstalled(catalog, layout, name, precision);
  } catch (err) {
    // Nothing installed, but maybe an interrupted pull to clean up.
    const model = catalog.models.find((m) => m.name === name.toLowerCase() || m.repo.toLowerCase() === name.toLowerCase());
    const staged = model ? PRECISIONS.filter((p) => (!precision || p === precision) && existsSync(layout.stagingDir(folderName(model.name, p)))) : [];
    if (!model || staged.length === 0) throw err;
    let bytes = 0;
    for (const p of staged) {
      bytes += dirBytes(layout.stagingDir(folderName(model.name, p)));
      await rm(layout.stagingDir(folderName(model.name, p)), { recursive: true, force: true });
    }
    return { folder: `${model.name} (partial download)`, bytes, wasActive: false };
  }
  const installedWithBoth = !precision && !layout.installedFolders().includes(name);
  if (installedWithBoth) {
    const model = findModel(catalog, name);
    const both = PRECISIONS.filter((p) => layout.installedFolders().includes(folderName(model.name, p)));
    if (both.length > 1) throw new ModelError('usage', `${model.name} is installed as ${both.join(' and ')}: say which with --precision`);
  }
  const dir = layout.dir(folder);
  const bytes = dirBytes(dir);
  const wasActive = layout.active() === folder;
  await rm(dir, { recursive: true, force: true });
  await rm(layout.stagingDir(folder), { recursive: true, force: true });
  if (wasActive) await layout.clearActive();
  return { folder, bytes, wasActive };
}

export interface VerifyProblem {
  path: string;
  problem: string;
}
export interface VerifyResult {
  folder: string;
  /** null: no manifest (installed by hand), so only presence could be checked. */
  ok: boolean | null;
  files: number;
  bytes: number;
  problems: VerifyProblem[];
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Checks every file of an installed model against its manifest: present, same size, same sha256. */
export async function verifyModel(layout: ModelsLayout, folder: string, onFile?: (path: string) => void): Promise<VerifyResult> {
  const dir = layout.dir(folder);
  const manifest = layout.readManifest(folder);
  if (!manifest) {
    const problems = existsSync(path.join(dir, 'config.json')) ? [] : [{ path: 'config.json', problem: 'missing' }];
    return { folder, ok: problems.length ? false : null, files: 0, bytes: 0, problems };
  }
  const problems: VerifyProblem[] = [];
  let bytes = 0;
  for (const f of manifest.files) {
    onFile?.(f.path);
    const file = path.join(dir, f.path);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      problems.push({ path: f.path, problem: 'missing' });
      continue;
    }
    if (size !== f.size) {
      problems.push({ path: f.path, problem: `size ${size}, expected ${f.size}` });
      continue;
    }
    bytes += size;
    const sha = await sha256Of(file);
    if (sha !== f.sha256) problems.push({ path: f.path, problem: `sha256 ${sha.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…` });
  }
  return { folder, ok: problems.length === 0, files: manifest.files.length, bytes, problems };
}
