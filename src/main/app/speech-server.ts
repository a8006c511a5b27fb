// "Use a speech server" for the daemon the app hosts: which engine the settings choose, and the server's
// bearer token, kept in a file of its own beside settings.json, readable by the user alone (decision 0031).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { resolveEngineConfig, type EngineConfig } from '../../core/engine/config.js';
import type { PathEnv } from '../../shared/paths.js';
import type { Settings } from '../../shared/settings.js';

export const TOKEN_FILE_NAME = 'speech-server-token';

/** The speech server's token: set and cleared from the window, never shown back, never in settings.json. */
export class ServerTokenFile {
  readonly file: string;

  /** `settingsFile`: the app's settings.json; the token lives beside it. */
  constructor(settingsFile: string) {
    this.file = path.join(path.dirname(settingsFile), TOKEN_FILE_NAME);
  }

  /** The stored token, or null (none, or an empty file). */
  read(): string | null {
    try {
      return readFileSync(this.file, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  stored(): boolean {
    return this.read() !== null;
  }

  /** Stores the token (0600 from the first byte), or removes the file for null. */
  async set(token: string | null): Promise<void> {
    const value = token?.trim() ?? '';
    if (value === '') {
      rmSync(this.file, { force: true });
      return;
    }
    await writeFileAtomic(this.file, `${value}\n`, 0o600);
  }
}

/**
 * The hosted daemon's engine: the remote engine when a speech server is set (its token and the failover
 * choice passed as the environment passes them to `q3tts serve`), else the local model.
 */
export function hostedEngineConfig(
  p: PathEnv,
  settings: Pick<Settings, 'modelDir' | 'executionProvider' | 'modelVariant' | 'speechServer' | 'speechServerFailover'>,
  token: string | null,
): EngineConfig {
  const local = {
    ...(settings.modelDir ? { modelDir: settings.modelDir } : {}),
    executionProvider: settings.executionProvider,
    precision: settings.modelVariant,
  };
  if (!settings.speechServer) return resolveEngineConfig(p, local);
  const env: Record<string, string | undefined> = {
    ...p.env,
    Q3TTS_REMOTE_FAILOVER: settings.speechServerFailover ? 'auto' : 'off',
    // The app's token (or none), not one the session happened to export.
    Q3TTS_REMOTE_TOKEN: token ?? undefined,
  };
  return resolveEngineConfig({ ...p, env }, { ...local, engine: 'remote', remoteUrl: settings.speechServer });
}
