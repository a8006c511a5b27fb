// Telling the user: a daemon that has measured its model slower than real time says so once per request
// (the CLI prints it on stderr, not with -q), status reports the measured speed and the playback phase,
// and --asap reaches the daemon as start: "asap". The tone engine stands in (the figures come from the data dir).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/args.js';
import { cliPath as cli, startServe, type Served } from '../../support/serve.js';
import { DaemonConnection } from '../../../src/core/client.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;
const MODEL_KEY = 'tone tone (deterministic test engine)';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-notice-'));
  const data = path.join(dir, 'data');
  mkdirSync(data);
  // as if earlier requests had measured this model at 2.5× slower than real time
  writeFileSync(
    path.join(data, 'speed.json'),
    JSON.stringify({ rtf: { [MODEL_KEY]: { value: 2.5, samples: 6 } }, framesPerToken: {} }),
  );
  env = { ...process.env, Q3TTS_SOCKET: path.join(dir, 'daemon.sock'), Q3TTS_AUDIO: 'null', Q3TTS_DATA_DIR: data };
  daemon = await startServe(env, ['--engine', 'tone']);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const q3tts = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 30_000 });

// In order: every request measures the (fast) tone engine, so the slow average fades after a few.
describe('a machine slower than real time', () => {
  it('status reports the measured real-time factor, that it is slow, the wait and what helps', () => {
    const status = JSON.parse(q3tts(['status', '--json']).stdout);
    expect(status.playback).toBe('idle');
    expect(status.speed).toMatchObject({ rtf: 2.5, slow: true });
    expect(status.speed.wait_s).toBeGreaterThan(1);
    expect(status.speed.advice).toMatch(/slower than real time.*0\.6B.*int4.*GPU/);
    expect(q3tts(['status']).stdout).toMatch(/real-time factor 2\.5 \(slower than real time/);
  });

  it('events: slow, then preparing (held back) before speaking; with start "asap" nothing is held back', async () => {
    const client = await DaemonConnection.connect(env.Q3TTS_SOCKET!);
    try {
      const events = async (extra: Record<string, unknown>) => {
        const got: string[] = [];
        const answer = await client.request(
          // one sentence: each sentence is its own step (decision 0030), with its own preparing/speaking
          { action: 'generate', text: 'One sentence here and another one.', events: true, ...extra },
          (e) => got.push(String(e.event)),
        );
        expect(answer.status).toBe('ok');
        return got.filter((e) => ['slow', 'preparing', 'speaking'].includes(e));
      };
      expect(await events({})).toEqual(['slow', 'preparing', 'speaking']);
      expect(await events({ start: 'asap' })).toEqual(['slow', 'speaking']);
      const bad = await client.request({ action: 'generate', text: 'x', start: 'later' } as never);
      expect(bad).toMatchObject({ status: 'error', code: 'E_INVALID' });
    } finally {
      client.close();
    }
    // what was measured meanwhile is kept for the next start
    const kept = JSON.parse(readFileSync(path.join(env.Q3TTS_DATA_DIR!, 'speed.json'), 'utf8'));
    expect(kept.rtf[MODEL_KEY].samples).toBeGreaterThan(6);
  });

  it('the CLI says so once on stderr (piped: no progress lines), and nothing with -q', () => {
    const spoken = q3tts(['Hello. This is a test.']);
    expect(spoken.status, spoken.stderr).toBe(0);
    expect(spoken.stderr.match(/slower than real time/g)).toHaveLength(1);
    expect(spoken.stderr).toMatch(/about \d+ s for a typical sentence/);
    expect(spoken.stderr).not.toMatch(/preparing|speaking/); // progress is for terminals only
    const quiet = q3tts(['-q', 'Hello.']);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    const json = q3tts(['--json', 'Hello.']);
    expect(JSON.parse(json.stdout).status).toBe('ok');
    expect(json.stderr).toBe('');
  });

  it('Q3TTS_START sets the daemon default (asap: nothing held back); a bad value is said and ignored', async () => {
    for (const [start, phases] of [
      ['asap', ['slow', 'speaking']],
      ['later', ['slow', 'preparing', 'speaking']],
    ] as const) {
      const data = mkdtempSync(path.join(dir, 'start-'));
      writeFileSync(
        path.join(data, 'speed.json'),
        JSON.stringify({ rtf: { [MODEL_KEY]: { value: 2.5, samples: 6 } }, framesPerToken: {} }),
      );
      const denv = { ...env, Q3TTS_SOCKET: path.join(data, 'd.sock'), Q3TTS_DATA_DIR: data, Q3TTS_START: start };
      const d = await startServe(denv, ['--engine', 'tone']);
      const client = await DaemonConnection.connect(denv.Q3TTS_SOCKET);
      try {
        const got: string[] = [];
        await client.request({ action: 'generate', text: 'One sentence here.', events: true }, (e) =>
          got.push(String(e.event)),
        );
        expect(got.filter((e) => ['slow', 'preparing', 'speaking'].includes(e))).toEqual(phases);
        if (start === 'later')
          expect(d.log()).toMatch(/Q3TTS_START='later' is not one of smooth, sentence, asap; using smooth/);
      } finally {
        client.close();
        d.child.kill('SIGKILL');
      }
    }
  });

  it('--asap is a flag of the speak command', () => {
    expect(parseArgs(['--asap', 'hi'])).toMatchObject({ asap: true, args: ['hi'] });
    expect(parseArgs(['hi']).asap).toBe(false);
  });
});
