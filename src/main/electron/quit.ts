// Quit waits for the app's cleanup (the daemon closes its socket, removing the file, and stops its engine
// process). Electron exits right after 'will-quit' unless a listener prevents it, so the first quit is
// held until the cleanup ends or times out, then quits for real.
import type { App } from 'electron';
import { errorMessage } from '../../shared/errors.js';

export function finishBeforeQuit(
  app: Pick<App, 'on' | 'quit'>,
  cleanup: () => Promise<void>,
  options: { timeoutMs?: number; log?: (m: string) => void } = {},
): void {
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.log ?? (() => undefined);
  let phase: 'running' | 'cleaning' | 'done' = 'running';
  app.on('will-quit', (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    if (phase === 'cleaning') return; // a second Quit while cleaning: the first one finishes
    phase = 'cleaning';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log(`quitting without waiting any longer for the cleanup (${timeoutMs} ms)`);
        resolve();
      }, timeoutMs);
    });
    const cleaned = cleanup().catch((err: unknown) => log(`cleanup before quit failed: ${errorMessage(err)}`));
    void Promise.race([cleaned, timeout]).then(() => {
      clearTimeout(timer);
      phase = 'done';
      app.quit();
    });
  });
}
