// The soak's heap diagnostic (SOAK_HEAP=1): preloaded into the daemon with `node --expose-gc --import`, it answers
// SIGUSR2 with two full GCs and one line of process.memoryUsage() (MB) appended to $SOAK_HEAP_FILE. After a
// forced GC the heap counts only what is still reachable, so a series of these tells retained memory (a leak)
// from V8 and the allocator growing to their working size (RSS up, heap flat). Bench-only: the product never loads it.
import { appendFileSync } from 'node:fs';

const file = process.env.SOAK_HEAP_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
// the engine host is forked with the daemon's execArgv, so it loads this too: only the daemon (the CLI) answers
const isDaemon = /q3tts\.mjs$/.test(process.argv[1] ?? '');
if (file && gc && isDaemon) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round((n / 2 ** 20) * 100) / 100;
    const line = {
      t: Date.now(),
      rss: mb(m.rss),
      heapUsed: mb(m.heapUsed),
      heapTotal: mb(m.heapTotal),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
      handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
