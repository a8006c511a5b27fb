// The AppImage's application entry. The GlobalShortcuts portal (xdg-desktop-portal 1.21+, GNOME) accepts
// only app ids that name an installed .desktop file; the .deb installs one, an AppImage installs nothing.
// So the AppImage writes its own to the user's applications directory, and keeps its Exec current when
// the file moves. docs/decisions/0012-app-identity-and-login.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { quoteExecArg } from './autostart.js';
import { errorMessage } from '../../shared/errors.js';

/** Marks entries this app wrote (and may rewrite); anyone else's file with the same name is left alone. */
const MARKER = 'X-q3tts-Written-By-AppImage=true';

export function applicationEntry(appImage: string, name = 'q3tts'): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Local text-to-speech in the tray',
    `Exec=${quoteExecArg(appImage)}`,
    'Terminal=false',
    'Categories=Utility;Accessibility;',
    MARKER,
    '',
  ].join('\n');
}

type Env = Record<string, string | undefined>;
const absolute = (p: string | undefined) => (p && path.isAbsolute(p) ? p : null);

/** $XDG_DATA_HOME/applications, where a user's own entries go. */
export function userApplicationsDir(env: Env, homedir: string): string {
  return path.join(absolute(env.XDG_DATA_HOME) ?? path.join(homedir, '.local/share'), 'applications');
}

/** Every applications directory the desktop searches, the user's first (XDG Base Directory spec). */
export function applicationsDirs(env: Env, homedir: string): string[] {
  const system = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter((d) => path.isAbsolute(d));
  return [userApplicationsDir(env, homedir), ...system.map((d) => path.join(d, 'applications'))];
}

export type EntryState =
  | { status: 'present' | 'installed' | 'updated'; file: string }
  | { status: 'missing' }
  | { status: 'failed'; file: string; error: string };

/** Makes sure `fileName` resolves to an installed entry: writes (or updates) ours when running as an AppImage. */
export function ensureApplicationEntry(fileName: string, env: Env, homedir: string): EntryState {
  const own = path.join(userApplicationsDir(env, homedir), fileName);
  const appImage = absolute(env.APPIMAGE);
  if (existsSync(own)) {
    if (!appImage) return { status: 'present', file: own };
    const wanted = applicationEntry(appImage);
    let current: string;
    try {
      current = readFileSync(own, 'utf8');
    } catch (err) {
      return { status: 'failed', file: own, error: errorMessage(err) };
    }
    if (current === wanted || !current.includes(MARKER)) return { status: 'present', file: own };
    return write(own, wanted, 'updated'); // the AppImage moved since it wrote the entry
  }
  const installed = applicationsDirs(env, homedir)
    .map((d) => path.join(d, fileName))
    .find((f) => existsSync(f));
  if (installed) return { status: 'present', file: installed };
  return appImage ? write(own, applicationEntry(appImage), 'installed') : { status: 'missing' };
}

function write(file: string, text: string, status: 'installed' | 'updated'): EntryState {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return { status, file };
  } catch (err) {
    return { status: 'failed', file, error: errorMessage(err) };
  }
}
