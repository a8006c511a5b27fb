// Where q3tts keeps its socket, data and settings. Pure: everything comes in as arguments,
// so each platform's rule is testable anywhere.

export interface PathEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  uid: number;
  username: string;
  homedir: string;
  tmpdir: string;
}

const APP = 'q3tts';

/**
 * The daemon's socket, by platform convention (speech-dispatcher style), overridable with Q3TTS_SOCKET.
 * - Linux/BSD: $XDG_RUNTIME_DIR/q3tts/daemon.sock (a per-user 0700 tmpfs), else <tmpdir>/q3tts-<uid>/daemon.sock
 * - macOS: $TMPDIR/q3tts/daemon.sock ($TMPDIR is per-user there)
 * - Windows: the named pipe \\.\pipe\q3tts-<username>
 */
export function socketPath(p: PathEnv): string {
  const override = p.env.Q3TTS_SOCKET;
  if (override) return override;
  if (p.platform === 'win32') return `\\\\.\\pipe\\${APP}-${p.username}`;
  if (p.platform === 'darwin') return `${trimSlash(p.env.TMPDIR || p.tmpdir)}/${APP}/daemon.sock`;
  const runtime = p.env.XDG_RUNTIME_DIR;
  if (runtime && runtime.startsWith('/')) return `${trimSlash(runtime)}/${APP}/daemon.sock`;
  return `${trimSlash(p.tmpdir)}/${APP}-${p.uid}/daemon.sock`;
}

/** Per-user data (installed models): XDG data dir, Application Support, or %LOCALAPPDATA%. */
export function dataDir(p: PathEnv): string {
  if (p.env.Q3TTS_DATA_DIR) return p.env.Q3TTS_DATA_DIR;
  if (p.platform === 'win32') return `${p.env.LOCALAPPDATA || `${p.homedir}\\AppData\\Local`}\\${APP}`;
  if (p.platform === 'darwin') return `${p.homedir}/Library/Application Support/${APP}`;
  const xdg = p.env.XDG_DATA_HOME;
  return `${xdg && xdg.startsWith('/') ? trimSlash(xdg) : `${p.homedir}/.local/share`}/${APP}`;
}

/** Per-user settings: XDG config dir, Application Support, or %APPDATA%. */
export function configDir(p: PathEnv): string {
  if (p.env.Q3TTS_CONFIG_DIR) return p.env.Q3TTS_CONFIG_DIR;
  if (p.platform === 'win32') return `${p.env.APPDATA || `${p.homedir}\\AppData\\Roaming`}\\${APP}`;
  if (p.platform === 'darwin') return `${p.homedir}/Library/Application Support/${APP}`;
  const xdg = p.env.XDG_CONFIG_HOME;
  return `${xdg && xdg.startsWith('/') ? trimSlash(xdg) : `${p.homedir}/.config`}/${APP}`;
}

/** Per-user cache (the history's audio): XDG cache dir, Library/Caches, or %LOCALAPPDATA%\q3tts\Cache. */
export function cacheDir(p: PathEnv): string {
  if (p.env.Q3TTS_CACHE_DIR) return p.env.Q3TTS_CACHE_DIR;
  if (p.platform === 'win32') return `${p.env.LOCALAPPDATA || `${p.homedir}\\AppData\\Local`}\\${APP}\\Cache`;
  if (p.platform === 'darwin') return `${p.homedir}/Library/Caches/${APP}`;
  const xdg = p.env.XDG_CACHE_HOME;
  return `${xdg && xdg.startsWith('/') ? trimSlash(xdg) : `${p.homedir}/.cache`}/${APP}`;
}

function trimSlash(s: string): string {
  return s.length > 1 && s.endsWith('/') ? s.slice(0, -1) : s;
}
