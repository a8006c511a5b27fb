// Job 'daemon': status round trips to the daemon while this model speaks (the engine in its host process).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonConnection } from '../../../src/core/client.js';
import { startDaemon } from '../../../src/core/daemon/daemon.js';
import { median, percentile } from '../../report.js';
import { INSTRUCT, root, TEXT } from '../common.js';

/** The daemon while this model speaks (engine in its host process, default threads): status round trips. */
export async function jobDaemon(
  dir: string,
): Promise<{ count: number; median: number; p99: number; max: number; frames: number }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-daemon-'));
  const socketPath = path.join(tmp, 'daemon.sock');
  const silent = () => undefined;
  const daemon = await startDaemon({
    socketPath,
    engine: { kind: 'qwen3', modelDir: dir },
    handlersFile: path.join(root, 'out/daemon/handlers.mjs'),
    announce: silent,
    log: silent,
  });
  const conn = await DaemonConnection.connect(socketPath);
  const ms: number[] = [];
  let frames = 0;
  try {
    for (let round = 0; round < 2; round++) {
      let done = false;
      const speaking = conn
        .request({
          action: 'generate',
          text: TEXT,
          instruct: INSTRUCT,
          seed: round,
          max_new_tokens: 40,
          output: path.join(tmp, 'out.wav'),
        })
        .then((a) => {
          done = true;
          return a;
        });
      await new Promise((r) => setTimeout(r, 200));
      while (!done) {
        const t = performance.now();
        await conn.request({ action: 'status' });
        if (!done) ms.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
      const answer = (await speaking) as { status: string; frames?: number };
      if (answer.status !== 'ok') throw new Error(`generate failed: ${JSON.stringify(answer)}`);
      frames += Number(answer.frames ?? 0);
    }
  } finally {
    conn.close();
    await daemon.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return { count: ms.length, median: median(ms), p99: percentile(ms, 99), max: Math.max(...ms), frames };
}

export type DaemonResult = Awaited<ReturnType<typeof jobDaemon>>;
