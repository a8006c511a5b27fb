// `q3tts serve --http … --wyoming …` as users run it: both doors open on loopback, `q3tts status` lists them,
// `q3tts http token` prints a token kept 0600, and a door that cannot bind stops the daemon with a clear error.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, exited } from '../../support/serve.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-serve-doors-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'run', 'daemon.sock'),
    Q3TTS_CONFIG_DIR: path.join(dir, 'config'),
    Q3TTS_AUDIO: 'null',
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `q3tts serve` and waits until `want` lines have been printed (or it exits). */
function serve(args: string[], want: number) {
  const child = spawn(process.execPath, [cliPath, 'serve', '--engine', 'tone', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ready = new Promise<string[]>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      lines.push(...d.split('\n').filter(Boolean));
      if (lines.length >= want) resolve(lines);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, ready, stderr: () => stderr };
}

const q3tts = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { env, encoding: 'utf8' });

describe('q3tts serve with doors', () => {
  it('opens both doors on loopback, announces them, and status lists them', async () => {
    const s = serve(['--http', '127.0.0.1:0', '--wyoming', '0'], 4);
    try {
      const lines = await s.ready;
      const http = /^HTTP door \(OpenAI API\) on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[2]!)?.[1];
      const wyoming = /^Wyoming door on (tcp:\/\/127\.0\.0\.1:\d+)$/.exec(lines[3]!)?.[1];
      expect(http).toBeDefined();
      expect(wyoming).toBeDefined();
      const models = (await (await fetch(`${http}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toContain('tts-1');
      const status = q3tts('status');
      expect(status.stdout).toContain(`door HTTP (OpenAI API) ${http}`);
      expect(status.stdout).toContain(`door Wyoming ${wyoming}`);
      const json = JSON.parse(q3tts('status', '--json').stdout) as { doors: unknown[] };
      expect(json.doors).toEqual([
        { door: 'openai-http', address: http, auth: false },
        { door: 'wyoming', address: wyoming, auth: false },
      ]);
    } finally {
      s.child.kill('SIGTERM');
      await exited(s.child);
    }
  });

  it('a port already taken: a clear error, exit 3, and the socket is not left behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const s = serve(['--http', `127.0.0.1:${port}`], 99);
      await expect(s.ready).rejects.toThrow(/EADDRINUSE/);
      expect(s.child.exitCode).toBe(3);
      expect(q3tts('status').status).toBe(2); // no daemon left running
    } finally {
      blocker.close();
    }
  });

  it('q3tts http token prints the token, made once and kept 0600', () => {
    const first = q3tts('http', 'token');
    expect(first.status).toBe(0);
    const token = first.stdout.trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dir, 'config', 'http-token')).mode & 0o777).toBe(0o600);
    expect(q3tts('http', 'token').stdout.trim()).toBe(token);
  });
});
