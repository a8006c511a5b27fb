// Start at login on Linux: an XDG autostart entry ($XDG_CONFIG_HOME/autostart/<id>.desktop), since
// Electron's login items cover only macOS and Windows. The text is built here, purely.
import path from 'node:path';

export interface AutostartTarget {
  /** The executable: $APPIMAGE when running as an AppImage (the file the user keeps), else process.execPath. */
  executable: string;
  /** Arguments before ours, e.g. the app path when running unpackaged Electron. */
  leadingArgs?: string[];
}

export function autostartTarget(
  execPath: string,
  env: Record<string, string | undefined>,
  appPath: string | null,
): AutostartTarget {
  if (env.APPIMAGE) return { executable: env.APPIMAGE };
  return appPath ? { executable: execPath, leadingArgs: [appPath] } : { executable: execPath };
}

/** Quotes one Exec argument per the Desktop Entry spec (reserved characters → double quotes with escapes). */
export function quoteExecArg(arg: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(arg) || arg === '' ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
  // Field codes start with "%": a literal one is "%%". Then the value is a string, where "\" is "\\".
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}

export function autostartEntry(target: AutostartTarget, name = 'q3tts'): string {
  const exec = [target.executable, ...(target.leadingArgs ?? []), '--hidden'].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Local text-to-speech in the tray',
    `Exec=${exec}`,
    'Terminal=false',
    'NoDisplay=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartFile(
  env: Record<string, string | undefined>,
  homedir: string,
  fileName = 'q3tts.desktop',
): string {
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir, '.config');
  return path.join(config, 'autostart', fileName);
}
