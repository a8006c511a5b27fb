// A handler stuck in a synchronous endless loop freezes the daemon's only thread: no answer, no status, and
// SIGTERM is only noted (Node runs signal handlers on that same thread). Nothing can stop JavaScript running
// on the main thread, so a watchdog thread watches its heartbeat instead: when the main thread has not beaten
// for `limitMs`, it says so on stderr, removes the daemon's socket (if it is still ours) and ends the process
// with SIGKILL. The engine host notices its parent is gone and exits too. (docs/handlers.md)
import { lstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export const DEFAULT_WATCHDOG_MS = 15_000;
const BEAT_MS = 250;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const beat = new Int32Array(workerData.buffer);
let last = Atomics.load(beat, 0);
let since = Date.now();
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; since = Date.now(); return; }
  if (Date.now() - since < workerData.limitMs) return;
  try { fs.writeSync(2, 'q3tts daemon: frozen for ' + Math.round((Date.now() - since) / 1000) + ' s (a handler in an endless loop?); removing the socket and exiting\\n'); } catch {}
  try {
    if (workerData.socketPath && fs.lstatSync(workerData.socketPath).ino === workerData.socketIno) fs.unlinkSync(workerData.socketPath);
  } catch {}
  process.kill(process.pid, 'SIGKILL');
}, ${BEAT_MS});
`;

export interface Watchdog {
  stop(): Promise<void>;
}

/** Starts watching this thread; `socketPath` is removed before the process is ended (when its inode is unchanged). */
export function startWatchdog(limitMs: number, socketPath?: string): Watchdog {
  const buffer = new SharedArrayBuffer(4);
  const beat = new Int32Array(buffer);
  let socketIno = -1;
  try {
    if (socketPath) socketIno = lstatSync(socketPath).ino;
  } catch {
    // no socket (yet): nothing to remove
  }
  const worker = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { buffer, limitMs, socketPath: socketPath ?? null, socketIno },
  });
  worker.unref();
  const timer = setInterval(() => Atomics.add(beat, 0, 1), BEAT_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
