// wl-paste (Debian package wl-clipboard) as a clipboard source: bounded in time and size, never a shell.
import { execFile } from 'node:child_process';

export function wlPasteArgs(primary: boolean): string[] {
  return ['--no-newline', '--type', 'text/plain', ...(primary ? ['--primary'] : [])];
}

export interface WlPasteOptions {
  command?: string;
  timeoutMs?: number;
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** The clipboard's text, "" when it is empty, null when wl-paste is missing, failed or timed out. */
export function readWlPaste(primary: boolean, options: WlPasteOptions = {}): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      options.command ?? 'wl-paste',
      wlPasteArgs(primary),
      { timeout: options.timeoutMs ?? 1500, maxBuffer: options.maxBytes ?? 4 * 1024 * 1024, encoding: 'utf8', env: options.env ?? process.env },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        // An empty clipboard is an error exit with "Nothing is copied" / "No selection": that is text "".
        if (typeof (err as { code?: unknown }).code === 'number' && /nothing is copied|no selection|no suitable type/i.test(stderr)) return resolve('');
        resolve(null);
      },
    );
  });
}
