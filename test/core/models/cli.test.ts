// `q3tts models ...` as users run it: the built CLI in a child process, downloading from the local Hub stand-in.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModels } from '../../../src/cli/models.js';
import { cliPath } from '../../support/serve.js';
import { syntheticModel } from '../engine/fixture.js';
import { startFakeHub, type FakeHub } from './hub-server.js';

const REPO = 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX';
const NAME = 'qwen3-tts-1.7b-voicedesign';
let hub: FakeHub;
let dir: string;
let env: NodeJS.ProcessEnv;

// Asynchronous: the Hub stand-in runs in this process and must keep answering while the CLI runs.
function q3tts(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, 'models', ...args], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: await syntheticModel('voice_design', 7) });
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-models-cli-'));
  env = { ...process.env, Q3TTS_DATA_DIR: path.join(dir, 'data'), HF_ENDPOINT: hub.url, Q3TTS_SOCKET: path.join(dir, 'no-daemon.sock') };
  delete env.Q3TTS_MODEL_DIR;
  delete env.HF_TOKEN;
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('q3tts models', () => {
  it('list shows what is available with sizes before anything is installed', async () => {
    const r = await q3tts(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/qwen3-tts-1\.7b-voicedesign\s+int4\s+~5\.2 GB\s+available/);
    const json = JSON.parse((await q3tts(['list', '--json'])).stdout) as { models: Array<{ installed: boolean }>; active: null };
    expect(json.models.every((m) => !m.installed)).toBe(true);
    expect(json.active).toBeNull();
  });

  it('bad input: unknown model and unknown subcommand exit 1 with a clear message', async () => {
    const r = (await q3tts(['pull', 'nosuch']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown model 'nosuch'. Known models: qwen3-tts-1\.7b-voicedesign/);
    expect((await q3tts(['frobnicate'])).code).toBe(1);
    expect((await q3tts(['pull', NAME, '--precision', 'fp16'])).stderr).toMatch(/unknown precision 'fp16'/);
  });

  it('Ctrl-C stops a pull and keeps its parts; the same command resumes with Range and installs', async () => {
    hub.reset();
    hub.faults.bytesPerSecond = 3_000_000;
    const child = spawn(process.execPath, [cliPath, 'models', 'pull', NAME, '--precision', 'fp32'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/\d+%/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/^qwen3-tts-1\.7b-voicedesign \(fp32\) from wavekat\/Qwen3-TTS-1\.7B-VoiceDesign-ONNX@2026-04-06: \d+ files, [\d.]+ MB; [\d.]+ [kMGT]?B free on disk$/m);
    expect(stderr).toMatch(/interrupted: the downloaded part is kept; run the same command to resume/);
    const staging = path.join(env.Q3TTS_DATA_DIR!, 'models', '.partial', `${NAME}-fp32`);
    const parts = readdirSync(staging, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.part'))
      .map((f) => ({ file: f.slice(0, -'.part'.length), size: statSync(path.join(staging, f)).size }))
      .filter((p) => p.size > 0 && p.size < hub.files(REPO).find((f) => f.path === p.file)!.size);
    expect(parts.length).toBeGreaterThan(0);

    hub.reset();
    const r = (await q3tts(['pull', NAME, '--precision', 'fp32']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/already here/);
    expect(r.stderr).toMatch(/resuming /);
    // Each interrupted file continues at the byte where its .part ended.
    for (const p of parts) {
      const gets = hub.log.filter((l) => l.path.startsWith('/cdn/') && l.path.includes(p.file));
      expect(gets.map((g) => g.range), p.file).toEqual([`bytes=${p.size}-`]);
    }
    expect(r.stdout).toMatch(new RegExp(`installed ${NAME}-fp32 in .*, active`));
    expect(r.stderr).toMatch(/100%/); // plain progress lines when stderr is not a terminal
  });

  it('list, verify, use and remove the installed model', async () => {
    const list = JSON.parse((await q3tts(['list', '--json'])).stdout) as { active: string; models: Array<{ folder: string; installed: boolean; active: boolean; bytes: number }> };
    expect(list.active).toBe(`${NAME}-fp32`);
    const entry = list.models.find((m) => m.folder === `${NAME}-fp32`)!;
    expect(entry).toMatchObject({ installed: true, active: true });
    expect(entry.bytes).toBe(hub.files(REPO).reduce((a, f) => a + f.size, 0));
    expect((await q3tts(['list'])).stdout).toMatch(/fp32\s+[\d.]+ MB\s+installed, active/);

    const ok = (await q3tts(['verify']));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/qwen3-tts-1\.7b-voicedesign-fp32: ok \(\d+ files/);
    const installed = path.join(env.Q3TTS_DATA_DIR!, 'models', `${NAME}-fp32`);
    const vocab = path.join(installed, 'tokenizer', 'vocab.json');
    const original = readFileSync(vocab);
    const damaged = Buffer.from(original);
    damaged[10] = damaged[10]! ^ 1;
    writeFileSync(vocab, damaged);
    const bad = (await q3tts(['verify', NAME]));
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/DAMAGED\n {2}tokenizer\/vocab\.json: sha256 .* expected/);
    writeFileSync(vocab, original);

    expect((await q3tts(['use', NAME, '--precision', 'int4'])).stderr).toMatch(/is not installed: get it with 'q3tts models pull qwen3-tts-1\.7b-voicedesign --precision int4'/);
    const use = (await q3tts(['use', NAME]));
    expect(use.code).toBe(0);
    expect(use.stdout).toMatch(/active model: qwen3-tts-1\.7b-voicedesign-fp32 \(no daemon is running/);

    const rm = (await q3tts(['remove', NAME, '--json']));
    expect(JSON.parse(rm.stdout)).toMatchObject({ status: 'ok', removed: `${NAME}-fp32`, was_active: true });
    expect(existsSync(installed)).toBe(false);
    expect(existsSync(path.join(env.Q3TTS_DATA_DIR!, 'models', 'active'))).toBe(false);
    expect((await q3tts(['remove', NAME])).code).toBe(1);
  });

  it('--json pull prints one event per line, then the result', async () => {
    hub.reset();
    const r = (await q3tts(['pull', NAME, '--precision', 'fp32', '--json']));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'pull', type: 'plan', files: hub.files(REPO).length });
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ status: 'ok', folder: `${NAME}-fp32`, active: true });
  });

  it('401 from the Hub exits 3 and says to set HF_TOKEN', async () => {
    hub.reset();
    hub.faults.token = 'hf_x';
    const r = (await q3tts(['pull', NAME, '--precision', 'fp32']));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/wants a login .* Set HF_TOKEN/);
    expect((await q3tts(['pull', NAME, '--precision', 'fp32'], { HF_TOKEN: 'hf_x' })).code).toBe(0);
  });

  it('on a terminal, pull draws one progress bar line (redrawn with \\r) with bytes, speed and time left', async () => {
    hub.reset();
    hub.faults.bytesPerSecond = 20_000_000;
    let stderr = '';
    let stdout = '';
    const code = await runModels({ sub: 'pull', args: [NAME], precision: 'fp32', json: false, quiet: false }, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t), isTTY: true },
      env: { Q3TTS_DATA_DIR: path.join(dir, 'tty-data'), HF_ENDPOINT: hub.url },
      signal: new AbortController().signal,
    });
    expect(code, stderr).toBe(0);
    const frames = stderr.split('\r').filter((f) => f.startsWith('['));
    expect(frames.length).toBeGreaterThan(3);
    const frame = frames.at(-2)!;
    expect(frame.endsWith('\x1b[K')).toBe(true); // clears the rest of the line
    expect(frame.slice(0, -3)).toMatch(/^\[#*-*\] +\d+% {2}[\d.]+ [kMG]?B \/ [\d.]+ MB {2}[\d.]+ [kMG]?B\/s {2}ETA \S+ {2}\(\d+\/\d+ files\)$/);
    expect(stdout).toMatch(/installed qwen3-tts-1\.7b-voicedesign-fp32/);
  });
});
