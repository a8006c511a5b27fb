// Where installed models live and what is recorded about them:
//   <data>/models/<name>-<precision>/            one folder per model and precision (what the engine loads)
//   <data>/models/<name>-<precision>/.q3tts-manifest.json   files, sizes, sha256, revision, installed-at
//   <data>/models/.partial/<name>-<precision>/   a pull in progress (never loaded: no config.json at the top)
//   <data>/models/active                         the folder name of the active model (engine/config.ts reads it)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { dataDir, type PathEnv } from '../../shared/paths.js';
import { writeFileAtomic } from '../atomic-file.js';
import { PRECISIONS, type Precision } from '../../shared/engine-options.js';

/** Where installed models live: <data dir>/models/<name>/. */
export function modelsRoot(p: PathEnv): string {
  return path.join(dataDir(p), 'models');
}

export const MANIFEST_FILE = '.q3tts-manifest.json';
export const STAGING_DIR = '.partial';

export const ManifestSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  precision: z.enum(PRECISIONS),
  repo: z.string(),
  revision: z.string(),
  /** The commit the revision pointed at during the pull, when the Hub said. */
  commit: z.string().nullable(),
  installed_at: z.string(),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const folderName = (name: string, precision: Precision) => `${name}-${precision}`;

export class ModelsLayout {
  constructor(readonly root: string) {}

  dir(folder: string): string {
    return path.join(this.root, folder);
  }

  stagingDir(folder: string): string {
    return path.join(this.root, STAGING_DIR, folder);
  }

  get activeFile(): string {
    return path.join(this.root, 'active');
  }

  /** Folder names of installed models: anything with a config.json, manifest or not (hand-installed ones count). */
  installedFolders(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(path.join(this.root, d.name, 'config.json')))
      .map((d) => d.name)
      .sort();
  }

  readManifest(folder: string): Manifest | undefined {
    const file = path.join(this.dir(folder), MANIFEST_FILE);
    if (!existsSync(file)) return undefined;
    const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  }

  active(): string | undefined {
    if (!existsSync(this.activeFile)) return undefined;
    const name = readFileSync(this.activeFile, 'utf8').trim();
    return name || undefined;
  }

  async setActive(folder: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFileAtomic(this.activeFile, `${folder}\n`);
  }

  async clearActive(): Promise<void> {
    await rm(this.activeFile, { force: true });
  }

  /**
   * Moves a completed staging folder into place. An older install of the same folder is moved aside first
   * and deleted after, so at every instant the folder is either the old model or the new one.
   */
  async install(folder: string): Promise<string> {
    const target = this.dir(folder);
    const staged = this.stagingDir(folder);
    let aside: string | undefined;
    if (existsSync(target)) {
      aside = path.join(this.root, STAGING_DIR, `${folder}.old-${Date.now()}`);
      await rename(target, aside);
    }
    try {
      await rename(staged, target);
    } catch (err) {
      if (aside) await rename(aside, target);
      throw err;
    }
    if (aside) await rm(aside, { recursive: true, force: true });
    return target;
  }
}
