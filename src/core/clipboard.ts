// Reads the clipboard (or the primary selection) with the platform's own tools: the one reader behind the CLI's
// --clipboard and the tray app's wl-paste check on Wayland. Bounded in time and size, never a shell.
import { execFile } from 'node:child_process';
import { errorMessage } from '../shared/errors.js';

export interface ClipboardTool {
  cmd: string;
  args: string[];
}

/** wl-paste asked for any text type ("text"), so a copied image is "no text", never its bytes. */
export function wlPasteTool(primary: boolean): ClipboardTool {
  return { cmd: 'wl-paste', args: ['--no-newline', '--type', 'text', ...(primary ? ['--primary'] : [])] };
}

/** The tools to try, best first: the session's own (Wayland or X11) before the other. */
export function clipboardTools(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  primary: boolean,
): ClipboardTool[] {
  if (platform === 'darwin') return [{ cmd: 'pbpaste', args: [] }];
  if (platform === 'win32') return [{ cmd: 'powershell.exe', args: ['-NoProfile', '-Command', 'Get-Clipboard -Raw'] }];
  const wayland = [wlPasteTool(primary)];
  const x11: ClipboardTool[] = [
    { cmd: 'xclip', args: ['-o', '-selection', primary ? 'primary' : 'clipboard'] },
    { cmd: 'xsel', args: [primary ? '--primary' : '--clipboard', '--output'] },
  ];
  return env.WAYLAND_DISPLAY ? [...wayland, ...x11] : [...x11, ...wayland];
}

export interface ClipboardReadOptions {
  timeoutMs?: number;
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** What one tool gave: the text ("" when there is nothing to paste), or why it could not be asked. */
export type ToolResult = { ok: true; text: string } | { ok: false; why: string };

// wl-paste ("Nothing is copied", "No selection", "No suitable type of content copied") and xclip ("target
// STRING not available") exit with an error when there is nothing to paste: that is an empty clipboard.
const NOTHING_TO_PASTE = /nothing is copied|no selection|no suitable type|target \S+ not available/i;

export function runClipboardTool(tool: ClipboardTool, options: ClipboardReadOptions = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      tool.cmd,
      tool.args,
      {
        timeout: options.timeoutMs ?? 3000,
        maxBuffer: options.maxBytes ?? 8 * 1024 * 1024,
        encoding: 'utf8',
        env: options.env ?? process.env,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, text: stdout });
        const { code, killed } = err as { code?: unknown; killed?: boolean };
        if (typeof code === 'number' && NOTHING_TO_PASTE.test(stderr)) return resolve({ ok: true, text: '' });
        const why =
          code === 'ENOENT'
            ? 'not installed'
            : killed
              ? 'timed out'
              : (stderr.trim() || errorMessage(err)).split('\n')[0]!;
        resolve({ ok: false, why });
      },
    );
  });
}

/** The clipboard's text ("" when it is empty), from the first tool that answers; throws when none can. */
export async function readClipboard(
  primary: boolean,
  options: ClipboardReadOptions & { platform?: NodeJS.Platform } = {},
): Promise<string> {
  const tried: string[] = [];
  for (const tool of clipboardTools(options.platform ?? process.platform, options.env ?? process.env, primary)) {
    const result = await runClipboardTool(tool, options);
    if (result.ok) return result.text;
    tried.push(`${tool.cmd} (${result.why})`);
  }
  throw new Error(
    `cannot read the clipboard; tried ${tried.join(', ')}. Install wl-clipboard (Wayland) or xclip (X11).`,
  );
}

/** wl-paste alone: the text ("" when empty), or null when it is missing, fails or times out. */
export async function readWlPaste(primary: boolean, options: ClipboardReadOptions = {}): Promise<string | null> {
  const result = await runClipboardTool(wlPasteTool(primary), {
    timeoutMs: 1500,
    maxBytes: 4 * 1024 * 1024,
    ...options,
  });
  return result.ok ? result.text : null;
}
