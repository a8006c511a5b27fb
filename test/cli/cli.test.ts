// The q3tts command as users run it: the built CLI in a child process, against a daemon it started.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneCodes } from '../../src/core/engine/tone.js';
import { cliPath as cli, exited, startServe, type Served } from '../support/serve.js';
import { maxAbsDiff, readWav } from '../support/wav.js';

let dir: string;
let env: NodeJS.ProcessEnv;

function q3tts(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const serve = () => startServe(env, ['--engine', 'tone']);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-cli-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'run', 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
  };
  delete env.Q3TTS_MODEL_DIR;
  delete env.Q3TTS_ENGINE;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('without a daemon', () => {
  it('status, stop and cancel exit 2 and say no daemon is running', () => {
    for (const cmd of ['status', 'stop', 'cancel']) {
      const r = q3tts([cmd]);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toMatch(/no q3tts daemon is running/);
    }
  });

  it('speaking falls back to in-process synthesis, says so, and writes the same audio', () => {
    const r = q3tts(['--engine', 'tone', '-o', 'inproc.wav', 'Hello']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no daemon running.*in-process.*q3tts serve/s);
    expect(readWav(path.join(dir, 'inproc.wav')).samples.length).toBe(5 * 1920);
  });

  it('decode falls back to in-process too', () => {
    writeFileSync(path.join(dir, 'hello.json'), JSON.stringify(toneCodes('Hello')));
    const r = q3tts(['--engine', 'tone', 'decode', 'hello.json', '-o', 'decoded.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/saved .*decoded\.wav/);
    expect(readWav(path.join(dir, 'decoded.wav')).samples.length).toBe(5 * 1920);
  });

  it('with no model installed, it says exactly how to get one (exit 3)', () => {
    const r = q3tts(['Hello']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no model installed/);
    expect(r.stderr).toMatch(/Q3TTS_MODEL_DIR/);
  });

  it('usage errors exit 1; --help and --version exit 0', () => {
    expect(q3tts(['--bogus']).code).toBe(1);
    const help = q3tts(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes/);
    expect(q3tts(['stop', '--help']).code).toBe(0);
    expect(q3tts(['--version']).stdout).toMatch(/^q3tts \d+\.\d+\.\d+/);
  });

  it('each family has its own help; usage errors look the same in both and point at the right help', () => {
    for (const argv of [
      ['help', 'models'],
      ['models', '--help'],
      ['models', 'pull', '-h'],
    ]) {
      const r = q3tts(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/q3tts models pull NAME \[--precision int4\|fp32\]/);
      expect(r.stdout).not.toMatch(/Speech options/);
    }
    const general = q3tts(['help', 'speak']);
    expect(general.code).toBe(0);
    expect(general.stdout).toMatch(
      /Speech options[\s\S]*--provider auto\|cpu\|cuda\|dml\|coreml\|webgpu[\s\S]*Q3TTS_CONFIG_DIR[\s\S]*\n {2}5 +a daemon is already running/,
    );
    const speech = q3tts(['status', '--bogus']);
    const models = q3tts(['models', 'list', '--bogus']);
    expect([speech.code, models.code]).toEqual([1, 1]);
    expect(speech.stderr).toBe(`q3tts: unknown option '--bogus'\nTry 'q3tts help status'.\n`);
    expect(models.stderr).toBe(`q3tts: unknown option '--bogus'\nTry 'q3tts help models'.\n`);
    expect(q3tts(['models', 'pull', 'x', '--seed', '1']).stderr).toMatch(/'--seed' does not apply to 'q3tts models'/);
  });
});

describe('with a daemon', () => {
  let daemon: Served;
  beforeAll(async () => {
    daemon = await serve();
  });
  afterAll(() => {
    daemon.child.kill('SIGKILL');
  });

  it('serve prints the model it loaded and how long it took, then "listening on <socket>"', () => {
    expect(daemon.stdout[0]).toMatch(/^model loaded: tone \(deterministic test engine\) in \d+\.\d s$/);
    expect(daemon.stdout[1]).toBe(`listening on ${env.Q3TTS_SOCKET}`);
  });

  it('a second serve refuses to start while one is live (exit 5)', () => {
    const r = q3tts(['serve', '--engine', 'tone']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/already running/);
  });

  it('"q3tts text -o out.wav" writes the file relative to the client\'s directory', () => {
    const r = q3tts(['-o', 'daemon.wav', 'Hello']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/saved .*daemon\.wav/);
    expect(r.stderr).not.toMatch(/in-process/);
    expect(
      maxAbsDiff(readWav(path.join(dir, 'daemon.wav')).samples, readWav(path.join(dir, 'inproc.wav')).samples),
    ).toBe(0);
  });

  it('reads the text from stdin', () => {
    const r = q3tts(['-o', 'stdin.wav'], 'Hi\n');
    expect(r.code, r.stderr).toBe(0);
    expect(readWav(path.join(dir, 'stdin.wav')).samples.length).toBe(2 * 1920);
  });

  it("status --json gives the daemon's status answer", () => {
    const r = q3tts(['status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', state: 'idle', engine: 'tone', pid: daemon.child.pid });
  });

  it('a request the daemon rejects exits 1 with its message', () => {
    const r = q3tts(['--language', 'Klingon', 'Hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown language 'Klingon'/);
  });

  it('an unwritable output exits 3 with a clear message', () => {
    const r = q3tts(['-o', '/nonexistent/dir/x.wav', 'Hello']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot write .*directory does not exist/);
  });

  it('stop shuts the daemon down: exit 0, socket removed', async () => {
    const r = q3tts(['stop']);
    expect(r.code).toBe(0);
    expect(await exited(daemon.child)).toBe(0);
    expect(existsSync(env.Q3TTS_SOCKET!)).toBe(false);
  });

  it('SIGTERM shuts the daemon down the same way', async () => {
    const again = await serve();
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);
    expect(existsSync(env.Q3TTS_SOCKET!)).toBe(false);
  });
});
