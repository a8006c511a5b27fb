// `q3tts next` and `q3tts back` against a real `q3tts serve` (tone engine) that plays through the pipe sink into a
// player consuming at real time and recording what it played; and the sentence line the CLI shows on a terminal.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentenceLine } from '../../src/cli/progress-line.js';
import { cliPath as cli, startServe, type Served } from '../support/serve.js';
import { tonesOf, toneRuns } from '../support/tones.js';

const root = path.resolve(import.meta.dirname, '../..');
const player = path.join(root, 'test', 'support', 'paced', 'player.py');
let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;
const recording = () => path.join(dir, 'played.raw');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-cli-controls-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'aplay'), `#!/bin/sh\nexec python3 ${JSON.stringify(player)}\n`);
  chmodSync(path.join(bin, 'aplay'), 0o755);
  env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    Q3TTS_AUDIO: 'pipe',
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
    PACED_LOG: path.join(dir, 'player.jsonl'),
    PACED_OUT: recording(),
  };
  daemon = await startServe(env, ['--engine', 'tone']);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const q3tts = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 30_000 });

const played = () => {
  if (!existsSync(recording())) return new Int16Array(0);
  const raw = readFileSync(recording());
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
};

/** `q3tts TEXT` in the background (stderr a pipe, not a terminal). */
function speakInBackground(text: string) {
  const child = spawn(process.execPath, [cli, text], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exit, stderr: () => stderr };
}

async function heard(ch: string, n: number): Promise<void> {
  for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20)))
    if (tonesOf(played(), ch) >= n) return;
  throw new Error(`never heard ${n} tones of '${ch}':\n${daemon.log()}`);
}

describe('q3tts next and back', () => {
  it('with nothing speaking they say so and exit 0 (like pause and resume); --json gives the answer', () => {
    for (const command of ['next', 'back']) {
      const r = q3tts([command]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('nothing is speaking');
    }
    const json = q3tts(['next', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ok', job: null, sentence: null });
    expect(q3tts(['next', '2']).status).toBe(1); // takes no arguments
  });

  it('next skips the sentence being read (its rest is never played), back repeats the one before; nothing extra on a non-terminal stderr', async () => {
    rmSync(recording(), { force: true });
    const A = `${'a'.repeat(25)}.`;
    const B = `${'b'.repeat(20)}.`;
    const C = `${'c'.repeat(10)}.`;
    const speaking = speakInBackground(`${A} ${B} ${C}`);
    await heard('a', 3);
    const next = q3tts(['next']);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stdout.trim()).toMatch(/^job \d+: sentence 2 of 3$/);
    await heard('b', 2);
    const back = q3tts(['back']); // early in the second sentence: the first again
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout.trim()).toMatch(/^job \d+: sentence 1 of 3$/);
    expect(await speaking.exit).toBe(0);
    expect(speaking.stderr()).toBe(''); // no progress line: stderr is not a terminal
    const runs = toneRuns(played(), 'abc');
    expect(runs[0]![0]).toBe('a');
    expect(runs[0]![1]).toBeLessThan(20); // skipped: the rest of it never played
    expect(runs.slice(-3)).toEqual([
      ['a', 25], // back: the first sentence again, whole
      ['b', 20],
      ['c', 10],
    ]);
  }, 60_000);

  it('on a terminal, the sentence being read is shown on one rewritten stderr line; not with --quiet', () => {
    const text = 'First one here. And a second one.';
    // `script` gives the command a terminal; stdin is closed, so the text comes as an argument
    const run = (extra: string) =>
      spawnSync(
        'script',
        [
          '-qfec',
          `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} ${extra} ${JSON.stringify(text)}`,
          '/dev/null',
        ],
        {
          env: { ...env, COLUMNS: '40' },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
    if (spawnSync('script', ['--version']).status !== 0) return; // util-linux script is in the set-up's packages
    const shown = run('');
    expect(shown.status, shown.stdout).toBe(0);
    expect(shown.stdout).toContain('\r\x1b[2Ksentence 1/2: First one here.');
    expect(shown.stdout).toContain('\r\x1b[2Ksentence 2/2: And a second one.');
    const quiet = run('--quiet');
    expect(quiet.status, quiet.stdout).toBe(0);
    expect(quiet.stdout).not.toMatch(/sentence/);
  }, 60_000);
});

describe('the sentence line', () => {
  it('fits the terminal (one column spare), on one line, never cutting an emoji in half', () => {
    expect(sentenceLine(2, 5, 'Short one.', 80)).toBe('sentence 2/5: Short one.');
    const long = sentenceLine(1, 3, 'A rather long sentence\nthat goes on and on and on.', 40);
    expect(long).toBe('sentence 1/3: A rather long sentence t…');
    expect(long.length).toBe(39);
    const emoji = sentenceLine(1, 1, '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀', 30);
    expect(emoji).toMatch(/^sentence 1\/1: (😀)+…$/u);
  });
});
