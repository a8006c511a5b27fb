// The history of utterances against a real `q3tts serve` on the tiny synthetic model: what is recorded (and
// where, with which permissions), the 50-entry cap, the audio cap (oldest audio out first), replay through the
// speakers (an ALSA device that writes what it plays into a file), save, clear, surviving a restart, a corrupt
// index, a full disk, and history off.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticModel } from '../engine/fixture.js';
import { fileDevice, tempDir, writeAlsaConfig } from '../audio/harness.js';
import { cliPath as cli, exited, startServe, type Served } from '../../support/serve.js';
import { connectRaw } from '../../support/raw-client.js';
import { readWav } from '../../support/wav.js';
import { encodeFrame } from '../../../src/shared/protocol.js';

const tmp = tempDir('history');
let model: string;
const running: Served[] = [];

/** A daemon of its own: socket, cache directory, extra environment. */
async function daemon(name: string, extra: NodeJS.ProcessEnv = {}, wrap?: (argv: string[]) => string[]) {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'daemon.sock'),
    Q3TTS_CACHE_DIR: path.join(dir, 'cache'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_MODEL_DIR: model,
    Q3TTS_THREADS: '1',
    ...extra,
  };
  delete env.Q3TTS_ENGINE;
  delete env.Q3TTS_HISTORY;
  if (extra.Q3TTS_HISTORY) env.Q3TTS_HISTORY = extra.Q3TTS_HISTORY;
  const served = wrap ? await startWrapped(env, wrap) : await startServe(env);
  running.push(served);
  const q3tts = (args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const history = () => JSON.parse(q3tts(['history', '--json']).stdout) as HistoryAnswer;
  return { dir, env, served, q3tts, history, cache: path.join(dir, 'cache', 'history') };
}

type Entry = { n: number; text: string; audio: boolean; duration_s: number; source: string | null; job: number };
type HistoryAnswer = { status: string; enabled: boolean; entries: Entry[] };

/** `q3tts serve` started through a wrapper (unshare with a small tmpfs). */
function startWrapped(env: NodeJS.ProcessEnv, wrap: (argv: string[]) => string[]): Promise<Served> {
  const [command, ...args] = wrap([process.execPath, cli, 'serve']);
  const child = spawn(command!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout.push(...d.split('\n').filter(Boolean));
      if (stdout.some((l) => l.startsWith('listening on'))) resolve({ child, stdout, log: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** Waits (spawnSync held this loop, so the daemon's stderr may not have been read yet) for a log line. */
async function logged(served: Served, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50 && !pattern.test(served.log()); i++) await new Promise((r) => setTimeout(r, 100));
  expect(served.log()).toMatch(pattern);
}

const mode = (file: string) => statSync(file).mode & 0o777;

beforeAll(async () => {
  model = await syntheticModel('voice_design', 7);
});

afterAll(() => {
  for (const d of running) d.child.kill('SIGKILL');
  tmp.remove();
});

describe('the history of utterances', () => {
  it('records each utterance (text, voice, language, time, duration, job, source) with its audio, privately', async () => {
    const d = await daemon('record');
    const said = d.q3tts(['-i', 'a calm, low voice', '-l', 'English', '--seed', '5', '-o', 'direct.wav', 'Hello.']);
    expect(said.code, said.stderr).toBe(0);
    expect(d.q3tts(['--seed', '6', 'Second\nline.']).code).toBe(0);
    const { enabled, entries } = d.history();
    expect(enabled).toBe(true);
    expect(entries.map((e) => e.text)).toEqual(['Second\nline.', 'Hello.']); // newest first
    expect(entries[1]).toMatchObject({
      n: 1,
      instruct: 'a calm, low voice',
      language: 'English',
      seed: 5,
      rate: 1,
      volume: 100,
      source: 'cli',
      audio: true,
    });
    expect(Date.now() - Date.parse((entries[1] as unknown as { at: string }).at)).toBeLessThan(120_000);
    expect(entries[0]!.job).toBeGreaterThan(entries[1]!.job);
    // The audio is what was made: the same samples as the file written by the same request.
    const kept = readWav(path.join(d.cache, 'audio', '1.wav'));
    const direct = readWav(path.join(d.dir, 'direct.wav'));
    expect(kept.sampleRate).toBe(24000);
    expect(Array.from(kept.samples)).toEqual(Array.from(direct.samples));
    expect(entries[1]!.duration_s).toBeCloseTo(kept.samples.length / 24000, 2);
    // Files 0600, directories 0700.
    expect(mode(d.cache)).toBe(0o700);
    expect(mode(path.join(d.cache, 'audio'))).toBe(0o700);
    expect(mode(path.join(d.cache, 'index.json'))).toBe(0o600);
    expect(mode(path.join(d.cache, 'audio', '2.wav'))).toBe(0o600);
    // One line per entry in the plain listing, whatever the text holds.
    const lines = d.q3tts(['history']).stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2\t.*Second line\.$/);

    // Save: the format follows the extension, as for -o.
    expect(d.q3tts(['history', 'save', '1', 'again.wav']).code).toBe(0);
    expect(Array.from(readWav(path.join(d.dir, 'again.wav')).samples)).toEqual(Array.from(kept.samples));
    expect(d.q3tts(['history', 'save', '1', 'again.flac']).code).toBe(0);
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate:format=duration', '-of', 'json', 'again.flac'],
      { cwd: d.dir, encoding: 'utf8' },
    );
    const probed = JSON.parse(probe.stdout) as {
      streams: { codec_name: string; sample_rate: string }[];
      format: { duration: string };
    };
    expect(probed.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '24000' });
    expect(Number(probed.format.duration)).toBeCloseTo(kept.samples.length / 24000, 1);
    const bad = d.q3tts(['history', 'save', '1', 'x.xyz']);
    expect(bad.code).toBe(1);
    expect(d.q3tts(['history', 'save', '9', 'x.wav', '--json']).stdout).toMatch(/"code":"E_NOT_FOUND"/);

    // It survives a restart of the daemon.
    d.served.child.kill('SIGTERM');
    await exited(d.served.child);
    d.served = await startServe(d.env);
    running.push(d.served);
    expect(d.history().entries.map((e) => e.n)).toEqual([2, 1]);

    // Clear one (its audio goes too), then everything (nothing of it stays on disk).
    expect(d.q3tts(['history', 'clear', '1']).stdout).toMatch(/cleared 1/);
    expect(d.history().entries.map((e) => e.n)).toEqual([2]);
    expect(existsSync(path.join(d.cache, 'audio', '1.wav'))).toBe(false);
    expect(d.q3tts(['history', 'clear']).stdout).toMatch(/cleared 1/);
    expect(d.history().entries).toEqual([]);
    expect(existsSync(d.cache)).toBe(false);
  });

  it('keeps the last 50 utterances, and their numbers keep counting', async () => {
    const d = await daemon('fifty');
    const conn = await connectRaw(d.env.Q3TTS_SOCKET!);
    const count = 53;
    for (let i = 1; i <= count; i++)
      conn.socket.write(
        encodeFrame({ action: 'generate', id: i, text: `Number ${i}.`, max_new_tokens: 2, seed: i, source: 'script' }),
      );
    const answers = await conn.next(count, 60_000);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    conn.socket.end();
    const { entries } = d.history();
    expect(entries).toHaveLength(50);
    expect(entries[0]).toMatchObject({ n: count, text: `Number ${count}.`, source: 'script' });
    expect(entries.at(-1)).toMatchObject({ n: count - 49, text: `Number ${count - 49}.` });
    const files = readdirSync(path.join(d.cache, 'audio')).sort();
    expect(files).toHaveLength(50);
    expect(files).not.toContain('1.wav');
  });

  it('keeps its audio under the cap: the oldest audio goes first, the entry stays, replay says so, speak again works', async () => {
    // 0.25 MB ≈ 5 s of 24 kHz 16-bit audio; each utterance here is at most 2.4 s (30 frames).
    const d = await daemon('cap', { Q3TTS_HISTORY_MB: '0.25' });
    for (let i = 1; i <= 6; i++)
      expect(d.q3tts(['--max-frames', '30', '--seed', String(i), `Utterance ${i}.`]).code).toBe(0);
    const { entries } = d.history();
    expect(entries.map((e) => e.n)).toEqual([6, 5, 4, 3, 2, 1]);
    const kept = entries.filter((e) => e.audio).map((e) => e.n);
    const gone = entries.filter((e) => !e.audio).map((e) => e.n);
    expect(gone.length).toBeGreaterThan(0);
    expect(kept).toContain(6);
    expect(Math.min(...kept)).toBeGreaterThan(Math.max(...gone)); // oldest audio out first
    const audioDir = path.join(d.cache, 'audio');
    const bytes = readdirSync(audioDir).reduce((sum, f) => sum + statSync(path.join(audioDir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(0.25 * 1024 * 1024);
    expect(readdirSync(audioDir).sort()).toEqual(kept.map((n) => `${n}.wav`).sort());
    const replay = d.q3tts(['history', 'play', String(gone[0])]);
    expect(replay.code).toBe(3);
    expect(replay.stderr).toMatch(/no longer kept.*speak it again/);
    const again = d.q3tts(['history', 'speak', String(gone[0])]);
    expect(again.code, again.stderr).toBe(0);
    // A new entry (its length is the model's: a random model babbles to the frame budget, beyond this cap).
    expect(d.history().entries[0]).toMatchObject({ n: 7, text: `Utterance ${gone[0]}.` });
  });

  it('replay plays the same samples through the speakers, queued like speech', async () => {
    const played = path.join(tmp.dir, 'played.raw');
    const d = await daemon('replay', {
      Q3TTS_AUDIO: 'portaudio',
      ALSA_CONFIG_PATH: writeAlsaConfig(tmp.dir, fileDevice(played)),
    });
    expect(d.q3tts(['--seed', '3', 'Play it again.']).code).toBe(0);
    const expected = readWav(path.join(d.cache, 'audio', '1.wav')).samples;
    const r = d.q3tts(['history', 'play', '1']);
    expect(r.code, `${r.stderr}\n${d.served.log()}`).toBe(0);
    const raw = readFileSync(played);
    const got = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
    // The device file holds what was played (the replay last); find the replayed signal and compare it whole.
    const first = expected.findIndex((x) => x !== 0);
    const probe = Array.from(expected.subarray(first, first + 32));
    let at = -1;
    for (let i = got.length - probe.length; i >= 0 && at < 0; i--)
      if (probe.every((x, k) => Math.abs(got[i + k]! - x) <= 1)) at = i - first;
    expect(at).toBeGreaterThanOrEqual(0);
    const aligned = got.subarray(at, at + expected.length);
    expect(aligned.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(aligned[i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    // Queued like speech: a pause holds it, the queue lists it, cancel stops it.
    expect(d.q3tts(['pause']).code).toBe(0);
    const queued = JSON.parse(d.q3tts(['history', 'play', '1', '--no-wait', '--json']).stdout) as { job: number };
    expect(queued).toMatchObject({ status: 'ok', queued: true, job: expect.any(Number) });
    expect(d.q3tts(['queue']).stdout.trim()).toMatch(
      new RegExp(`^${queued.job}\\tspeaking\\treplay 1: Play it again\\.$`),
    );
    expect(d.q3tts(['cancel', String(queued.job)]).stdout).toMatch(/cancelled 1/);
    expect(d.q3tts(['resume']).code).toBe(0);
    await expect.poll(() => d.q3tts(['queue']).stdout.trim()).toBe('queue empty');
  });

  it('a corrupt index is set aside with a warning; the daemon starts empty and records on', async () => {
    const name = 'corrupt';
    const cache = path.join(tmp.dir, name, 'cache', 'history');
    mkdirSync(path.join(cache, 'audio'), { recursive: true });
    writeFileSync(path.join(cache, 'index.json'), '{"version": 1, "entries": [ {"n": "oops"');
    writeFileSync(path.join(cache, 'audio', '4.wav'), 'stray audio no entry refers to');
    const d = await daemon(name);
    expect(d.history().entries).toEqual([]);
    await logged(d.served, /not a valid history index.*moved it to .*index\.json\.corrupt-\d+/);
    expect(readdirSync(cache).some((f) => f.startsWith('index.json.corrupt-'))).toBe(true);
    expect(existsSync(path.join(cache, 'audio', '4.wav'))).toBe(false);
    expect(d.q3tts(['Still recording.']).code).toBe(0);
    expect(d.history().entries.map((e) => e.text)).toEqual(['Still recording.']);
  });

  it('a full disk while recording does not fail the speech', async (ctx) => {
    const name = 'full';
    const cache = path.join(tmp.dir, name, 'cache');
    mkdirSync(cache, { recursive: true });
    const probe = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$0"', cache], {
      encoding: 'utf8',
    });
    if (probe.status !== 0) {
      console.warn(`skipped: cannot mount a small tmpfs with unshare -Urm (${(probe.stderr || '').trim()})`);
      ctx.skip();
    }
    // A 16 KiB file system for the cache (about a third of a second of audio), in the daemon's own mount namespace.
    const d = await daemon(name, {}, (argv) => [
      'unshare',
      '-Urm',
      'sh',
      '-c',
      'mount -t tmpfs -o size=16k tmpfs "$0" && exec "$@"',
      cache,
      ...argv,
    ]);
    const said = d.q3tts(['--max-frames', '30', '--seed', '1', '-o', 'out.wav', 'A full disk.']);
    expect(said.code, `${said.stderr}\n${d.served.log()}`).toBe(0);
    expect(readWav(path.join(d.dir, 'out.wav')).samples.length).toBeGreaterThan(16 * 1024);
    await logged(d.served, /history: the audio of entry 1 is not kept: .*(ENOSPC|no space)/i);
    // The entry (small) still fits; its audio did not, and replay says so.
    const { entries } = d.history();
    expect(entries).toMatchObject([{ n: 1, text: 'A full disk.', audio: false }]);
    expect(d.q3tts(['history', 'play', '1']).stderr).toMatch(/no longer kept/);
    expect(d.q3tts(['Speech goes on.']).code).toBe(0);
  });

  it('off (Q3TTS_HISTORY=off) records nothing and writes nothing', async () => {
    const d = await daemon('off', { Q3TTS_HISTORY: 'off' });
    expect(d.q3tts(['Not remembered.']).code).toBe(0);
    expect(d.history()).toMatchObject({ enabled: false, entries: [] });
    expect(d.q3tts(['history']).stdout).toMatch(/history is off/);
    expect(existsSync(path.join(d.dir, 'cache'))).toBe(false);
    expect(d.q3tts(['history', 'play', '1']).code).toBe(3);
  });
});
