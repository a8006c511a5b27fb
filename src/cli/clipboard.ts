// Reads the clipboard (or the primary selection) with the platform's own tools, so `q3tts --clipboard`
// works from a desktop shortcut with or without the tray app.
import { execFile } from 'node:child_process';
import { errorMessage } from '../shared/errors.js';

type Reader = { cmd: string; args: string[] };

export function clipboardReaders(platform: NodeJS.Platform, env: Record<string, string | undefined>, primary: boolean): Reader[] {
  if (platform === 'darwin') return [{ cmd: 'pbpaste', args: [] }];
  if (platform === 'win32') return [{ cmd: 'powershell.exe', args: ['-NoProfile', '-Command', 'Get-Clipboard -Raw'] }];
  const wayland: Reader[] = [{ cmd: 'wl-paste', args: primary ? ['--no-newline', '--primary'] : ['--no-newline'] }];
  const x11: Reader[] = [
    { cmd: 'xclip', args: ['-o', '-selection', primary ? 'primary' : 'clipboard'] },
    { cmd: 'xsel', args: [primary ? '--primary' : '--clipboard', '--output'] },
  ];
  return env.WAYLAND_DISPLAY ? [...wayland, ...x11] : [...x11, ...wayland];
}

export async function readClipboard(primary = false): Promise<string> {
  const tried: string[] = [];
  for (const reader of clipboardReaders(process.platform, process.env, primary)) {
    try {
      return await new Promise<string>((resolve, reject) =>
        execFile(reader.cmd, reader.args, { timeout: 3000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
    } catch (err) {
      tried.push(`${reader.cmd} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : errorMessage(err).split('\n')[0]})`);
    }
  }
  throw new Error(`cannot read the clipboard; tried ${tried.join(', ')}. Install wl-clipboard (Wayland) or xclip (X11).`);
}
