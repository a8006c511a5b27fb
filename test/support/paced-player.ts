// The paced real-time player (paced/player.py) behind the daemon's pipe sink: a device that consumes audio at
// exactly real time and logs every underrun. Shared by the playback tests and `npm run bench:playback`.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PipeSink } from '../../src/core/audio/pipe-sink.js';
import { WavFileSink } from '../../src/core/audio/wav.js';
import { writeFileAtomic } from '../../src/core/atomic-file.js';
import type { AudioOutputs } from '../../src/core/daemon/core.js';

/** One line of the player's log: first byte and end (wall seconds), bytes played, stalls [bytes, at, seconds]. */
export interface PlayerLog {
  first: number | null;
  end: number;
  bytes: number;
  stalls: [number, number, number][];
}

/**
 * Puts an `aplay` on PATH (in workDir/bin) that is the paced player: the pipe sink runs "aplay".
 * `repoRoot` locates the script (this module is also bundled into out/bench, away from its source).
 */
export function installPacedPlayer(workDir: string, repoRoot: string): void {
  const bin = path.join(workDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const script = path.join(repoRoot, 'test', 'support', 'paced', 'player.py');
  writeFileSync(path.join(bin, 'aplay'), `#!/bin/sh\nexec python3 ${JSON.stringify(script)}\n`);
  chmodSync(path.join(bin, 'aplay'), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

/** Daemon audio whose playback goes into the paced player, logging to `playerLog`; files are WAVs. */
export function pacedAudio(playerLog: string): AudioOutputs {
  return {
    openPlayback: async () => {
      const sink = new PipeSink('aplay');
      const open = sink.open.bind(sink);
      // the player is spawned synchronously inside open(): it sees this run's log (runs may go concurrently)
      sink.open = (format) => {
        process.env.PACED_LOG = playerLog;
        return open(format);
      };
      return sink;
    },
    openFile: async (file) => new WavFileSink(file),
    writeFileAtomic,
  };
}

/** Every playback the player logged (one per opened sink). */
export function readPlayerLogs(playerLog: string): PlayerLog[] {
  return readFileSync(playerLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PlayerLog);
}
