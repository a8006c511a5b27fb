// Where the audio goes, as users ask for it: -o FILE in the format its extension names (decoded back with
// ffprobe/ffmpeg to the right duration), -o - (a WAV on stdout), --raw (PCM as it is generated), against a real
// daemon on the tone engine; and the CLI's fixes: --json errors, per-command help, typo hints, flag names.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath as cli, startServe, type Served } from '../support/serve.js';
import { connectRaw } from '../support/raw-client.js';
import { encodeFrame } from '../../src/shared/protocol.js';
import { readWav } from '../support/wav.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;

function q3tts(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: options.env ?? env,
    cwd: dir,
    input: options.input,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** Seconds of audio in a file, as ffprobe reads its container. */
function probeSeconds(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Samples a file decodes to (ffmpeg decodes it whole: the count, not the container's claim). */
function decodedSamples(file: string): number {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-ar', '24000', 'pipe:1'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`ffmpeg ${file}: ${r.stderr.toString()}`);
  return r.stdout.length / 2;
}

const TEXT = 'Hello there'; // the tone engine: one 1920-sample frame per character, 0.88 s
const SECONDS = (TEXT.length * 1920) / 24000;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-output-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'run', 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
  };
  delete env.Q3TTS_MODEL_DIR;
  delete env.Q3TTS_ENGINE;
  delete env.Q3TTS_FFMPEG;
  daemon = await startServe(env, ['--engine', 'tone']);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('-o FILE: the extension picks the format', () => {
  it.each([
    ['a.wav', 'wav'],
    ['a.mp3', 'mp3'],
    ['a.ogg', 'ogg'],
    ['a.opus', 'ogg'],
    ['a.flac', 'flac'],
  ])('%s is %s and decodes to the audio spoken', (file, container) => {
    const r = q3tts(['-o', file, TEXT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatch(new RegExp(`saved .*${file.replace('.', '\\.')}`));
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', path.join(dir, file)],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim().split(',')).toContain(container);
    // Lossy codecs add encoder delay/padding (MP3 ~1 frame of 1152 samples at 24 kHz): within 60 ms.
    expect(Math.abs(probeSeconds(path.join(dir, file)) - SECONDS)).toBeLessThan(0.06);
    expect(Math.abs(decodedSamples(path.join(dir, file)) / 24000 - SECONDS)).toBeLessThan(0.06);
  });

  it('an extension q3tts does not write is refused, in the CLI and in the protocol, and no file appears', async () => {
    const r = q3tts(['-o', 'notes.txt', TEXT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write '\.txt' files \(\.wav, \.mp3, \.ogg, \.opus, \.flac/);
    const c = await connectRaw(env.Q3TTS_SOCKET!);
    c.socket.write(encodeFrame({ action: 'generate', text: TEXT, output: path.join(dir, 'proto.m4a') }));
    const [answer] = await c.next(1);
    c.socket.destroy();
    expect(answer).toMatchObject({ status: 'error', code: 'E_INVALID' });
    expect(String(answer!.message)).toMatch(/output '.*proto\.m4a': cannot write '\.m4a' files/);
    expect(existsSync(path.join(dir, 'notes.txt')) || existsSync(path.join(dir, 'proto.m4a'))).toBe(false);
  });

  it('without ffmpeg, a compressed format fails clearly (exit 3), WAV still works, and nothing is left behind', () => {
    const noFfmpeg = { ...env, Q3TTS_FFMPEG: path.join(dir, 'no-such-ffmpeg') };
    const served = spawnSync(process.execPath, [cli, 'stop'], { env });
    expect(served.status).toBe(0);
    // The daemon reads Q3TTS_FFMPEG: in-process synthesis (no daemon) runs with this environment.
    const r = q3tts(['--engine', 'tone', '-q', '-o', 'b.mp3', TEXT], { env: noFfmpeg });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/writing mp3 needs ffmpeg, which is not installed/);
    expect(readdirSync(dir).filter((f) => f.includes('b.mp3'))).toEqual([]);
    expect(q3tts(['--engine', 'tone', '-q', '-o', 'b.wav', TEXT], { env: noFfmpeg }).code).toBe(0);
  });
});

describe('stdout', () => {
  beforeAll(async () => {
    if (spawnSync(process.execPath, [cli, 'status'], { env }).status !== 0)
      daemon = await startServe(env, ['--engine', 'tone']);
  });

  it('-o - into a file is a whole WAV with its real sizes (and no file named "-")', () => {
    const r = q3tts(['-o', '-', TEXT]);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, 'stdout.wav');
    const shell = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" -o - "${TEXT}" > "${file}"`], {
      env,
      cwd: dir,
    });
    expect(shell.status, shell.stderr.toString()).toBe(0);
    const wav = readWav(file);
    expect(wav.sampleRate).toBe(24000);
    expect(wav.samples.length).toBe(TEXT.length * 1920);
    expect(readFileSync(file).readUInt32LE(40)).toBe(TEXT.length * 1920 * 2);
    expect(existsSync(path.join(dir, '-'))).toBe(false);
  });

  it('-o - into a pipe streams a WAV a reader takes to its end', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" -o - "${TEXT}" | cat > piped.wav`], {
      env,
      cwd: dir,
    });
    expect(r.status).toBe(0);
    expect(decodedSamples(path.join(dir, 'piped.wav'))).toBe(TEXT.length * 1920);
  });

  it('--raw writes s16le PCM as it is generated: the same samples as the WAV file', async () => {
    q3tts(['-o', 'same.wav', TEXT]);
    const wav = readWav(path.join(dir, 'same.wav'));
    // Read the pipe while the CLI runs: the first bytes come before the request has finished.
    const child = spawn(process.execPath, [cli, '--raw', 'Hello there, a longer sentence to stream'], {
      env,
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let firstAt: number | undefined;
    child.stdout.on('data', (b: Buffer) => {
      firstAt ??= chunks.length;
      chunks.push(b);
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(firstAt).toBe(0);
    expect(chunks.length).toBeGreaterThan(1); // arrived in pieces, not in one write at the end
    const raw = Buffer.concat(chunks);
    expect(raw.length).toBe('Hello there, a longer sentence to stream'.length * 1920 * 2);
    const head = new Int16Array(raw.buffer, raw.byteOffset, wav.samples.length);
    expect(Array.from(head.subarray(0, 4 * 1920))).toEqual(Array.from(wav.samples.subarray(0, 4 * 1920)));
  });

  it('the protocol\'s "stream" field sends "audio" events (base64 s16le) and plays nothing', async () => {
    const c = await connectRaw(env.Q3TTS_SOCKET!);
    c.socket.write(encodeFrame({ action: 'generate', id: 7, text: 'Hi', stream: true }));
    const frames: Record<string, unknown>[] = [];
    while (!frames.some((f) => f.status)) frames.push(...(await c.next(1)));
    c.socket.destroy();
    const audio = frames.filter((f) => f.event === 'audio');
    expect(audio.length).toBeGreaterThan(0);
    expect(audio[0]).toMatchObject({ id: 7, sample_rate: 24000, format: 's16le' });
    const bytes = audio.reduce((n, f) => n + Buffer.from(String(f.pcm), 'base64').length, 0);
    expect(bytes).toBe(2 * 1920 * 2);
    expect(frames.at(-1)).toMatchObject({ status: 'ok', id: 7 });
  });

  it('"stream" with "output" or "wait": false is refused', async () => {
    const c = await connectRaw(env.Q3TTS_SOCKET!);
    c.socket.write(
      encodeFrame({ action: 'generate', id: 1, text: 'Hi', stream: true, output: path.join(dir, 'x.wav') }),
    );
    c.socket.write(encodeFrame({ action: 'generate', id: 2, text: 'Hi', stream: true, wait: false }));
    const answers = await c.next(2);
    c.socket.destroy();
    expect(answers.map((a) => a.code)).toEqual(['E_INVALID', 'E_INVALID']);
  });
});

describe('CLI fixes', () => {
  const json = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('--json prints one error object on stdout for every kind of failure', () => {
    const cases: Array<[string[], NodeJS.ProcessEnv | undefined, string, number]> = [
      [['--json', '--bogus'], undefined, 'E_USAGE', 1],
      [['--json', '-o', 'x.doc', 'Hi'], undefined, 'E_USAGE', 1],
      [['--json', '--language', 'Klingon', 'Hi'], undefined, 'E_INVALID', 1],
      [['--json', 'status'], { ...env, Q3TTS_SOCKET: path.join(dir, 'nobody.sock') }, 'E_UNREACHABLE', 2],
      [['--json', 'Hi'], { ...env, Q3TTS_SOCKET: path.join(dir, 'nobody.sock') }, 'E_NO_MODEL', 3],
      [['--json', 'models', 'use', 'no-such-model'], undefined, 'E_NO_MODEL', 1],
    ];
    for (const [args, e, code, exit] of cases) {
      const r = q3tts(args, e ? { env: e } : {});
      expect(r.code, args.join(' ')).toBe(exit);
      const lines = json(r.out);
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(Object.keys(lines[0]!).sort()).toEqual(['code', 'message', 'status']);
      expect(lines[0]).toMatchObject({ status: 'error', code });
      expect(String(lines[0]!.message).length).toBeGreaterThan(5);
    }
  });

  it("q3tts help CMD prints that command's help; an unknown one says so", () => {
    const queue = q3tts(['help', 'queue']);
    expect(queue.code).toBe(0);
    expect(queue.out).toMatch(/^Usage: q3tts queue/);
    expect(queue.out).not.toMatch(/Speech options/);
    const bogus = q3tts(['help', 'bogus']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/no help on 'bogus'/);
  });

  it('a mistyped command gets a hint and is not spoken; "--" says the word', () => {
    const r = q3tts(['stauts']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did you mean 'q3tts status'/);
    expect(q3tts(['-o', 'word.wav', '--', 'stauts']).code).toBe(0);
    expect(readWav(path.join(dir, 'word.wav')).samples.length).toBe(6 * 1920);
  });

  it('validation messages name the flag typed, not the protocol field', () => {
    const r = q3tts(['--max-frames', '99999', 'Hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--max-frames: .*8192/);
    expect(r.stderr).not.toMatch(/max_new_tokens/);
  });

  it('queue shows one line per job whatever the text holds', () => {
    // Paused, the first job holds its place while the others wait behind it.
    expect(q3tts(['pause']).code).toBe(0);
    for (const text of ['first', 'one\nline\ttwo\x1b[31m red', 'three\r\nfour\u2028five'])
      expect(q3tts(['--no-wait', text]).code).toBe(0);
    const r = q3tts(['queue']);
    q3tts(['cancel']);
    q3tts(['resume']);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    // eslint-disable-next-line no-control-regex -- no escape character may reach the terminal
    for (const l of lines) expect(l).toMatch(/^\d+\t\w+\t[^\t\n\x1b\u2028]*$/);
    expect(lines[1]).toMatch(/one line two.*red$/);
  });

  it('reload model says the model was reloaded and how long it took', () => {
    const r = q3tts(['reload', 'model']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatch(/^model reloaded: tone \(deterministic test engine\) in \d+\.\d s \(handlers .+\)$/m);
    const j = q3tts(['reload', 'model', '--json']);
    expect(JSON.parse(j.out)).toMatchObject({
      status: 'ok',
      model: 'tone (deterministic test engine)',
      load_ms: expect.any(Number),
    });
  });

  it('HF_ENDPOINT that is not a URL is a usage error, not a stack trace', () => {
    const r = q3tts(['models', 'pull', 'qwen3-tts-1.7b-voicedesign'], { env: { ...env, HF_ENDPOINT: 'notaurl' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^q3tts: HF_ENDPOINT 'notaurl' is not an http\(s\) URL/);
    expect(r.stderr).not.toMatch(/\bat /);
  });
});

describe('documents: -f FILE, stdin, long texts', () => {
  beforeAll(async () => {
    if (spawnSync(process.execPath, [cli, 'status'], { env }).status !== 0)
      daemon = await startServe(env, ['--engine', 'tone']);
  });

  const MARKDOWN = '# Title\n\nSome **bold** text.\n\n```sh\nrm -rf /\n```\n\n- one\n- two\n';
  // What a person hears, as the tone engine counts it: one frame per character of the tidied text.
  const HEARD = 'Title.\n\nSome bold text.\n\none.\n\ntwo.';

  it('-f notes.md speaks the words, not the markup or the code', () => {
    spawnSync('sh', ['-c', `printf '%s' "$0" > notes.md`, MARKDOWN], { cwd: dir });
    const r = q3tts(['-f', 'notes.md', '-o', 'notes.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(readWav(path.join(dir, 'notes.wav')).samples.length).toBe(HEARD.length * 1920);
  });

  it('Markdown on stdin is read the same way, with or without -f -', () => {
    for (const args of [
      ['-o', 'piped.wav'],
      ['-f', '-', '-o', 'piped.wav'],
    ]) {
      const r = q3tts(args, { input: MARKDOWN });
      expect(r.code, r.stderr).toBe(0);
      expect(readWav(path.join(dir, 'piped.wav')).samples.length).toBe(HEARD.length * 1920);
    }
  });

  it('HTML files skip scripts and styles; missing files and PDFs are clear usage errors', () => {
    spawnSync(
      'sh',
      [
        '-c',
        `printf '%s' '<html><head><style>p{}</style></head><body><p>Hi &amp; bye</p><script>x()</script></body></html>' > page.html`,
      ],
      { cwd: dir },
    );
    expect(q3tts(['-f', 'page.html', '-o', 'page.wav']).code).toBe(0);
    expect(readWav(path.join(dir, 'page.wav')).samples.length).toBe('Hi & bye'.length * 1920);
    const missing = q3tts(['-f', 'nope.md']);
    expect([missing.code, missing.stderr]).toEqual([1, 'q3tts: cannot read nope.md: no such file\n']);
    expect(q3tts(['-f', 'book.pdf']).stderr).toBe('q3tts: cannot read book.pdf: no such file\n');
    expect(q3tts(['-f', 'notes.md', 'and text']).stderr).toMatch(/one of them/);
  });

  it('a text over the request limit is one job of parts: one file with all the audio, parts in order', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} is here.`);
    const text = paragraphs.join('\n\n');
    const split = { ...env, Q3TTS_SPLIT_CHARS: '50' };
    const r = q3tts(['-f', '-', '-o', 'long.wav'], { input: text, env: split });
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatch(/saved .*long\.wav \(3 parts, /);
    // All the words: the paragraph break inside each part is two characters (frames) of it; those between
    // parts are where it was cut.
    const parts = readWav(path.join(dir, 'long.wav')).samples;
    expect(parts.length).toBe((paragraphs.join('').length + 3 * 2) * 1920);
    // In order: the last part's audio is the last two paragraphs said on their own.
    expect(q3tts(['-o', 'last.wav', '--', paragraphs.slice(4).join('\n\n')]).code).toBe(0);
    const last = readWav(path.join(dir, 'last.wav')).samples;
    expect(Array.from(parts.subarray(parts.length - last.length))).toEqual(Array.from(last));
    const raw = spawnSync(process.execPath, [cli, '-f', '-', '--raw'], { env: split, cwd: dir, input: text });
    expect(raw.status).toBe(0);
    expect(raw.stdout.length).toBe(parts.length * 2);
  });

  it('Ctrl-C cancels every part of a long text', async () => {
    const slowEnv = { ...env, Q3TTS_SPLIT_CHARS: '40' };
    expect(q3tts(['pause']).code).toBe(0);
    const child = spawn(process.execPath, [cli, '-f', '-'], {
      env: slowEnv,
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(Array.from({ length: 5 }, (_, i) => `Part ${i} of a long text to read.`).join('\n\n'));
    for (let i = 0; i < 50 && !/\t/.test(q3tts(['queue']).out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(q3tts(['queue']).out.trim().split('\n')).toHaveLength(5);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    q3tts(['resume']);
    expect(code).toBe(130);
    for (let i = 0; i < 50 && q3tts(['queue']).out.trim() !== 'queue empty'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(q3tts(['queue']).out.trim()).toBe('queue empty');
  });
});

describe('rate and volume', () => {
  beforeAll(async () => {
    if (spawnSync(process.execPath, [cli, 'status'], { env }).status !== 0)
      daemon = await startServe(env, ['--engine', 'tone']);
  });

  /** The dominant frequency of 16-bit samples, by zero crossings over the middle. */
  const pitch = (s: Int16Array) => {
    const mid = s.subarray(Math.floor(s.length * 0.2), Math.floor(s.length * 0.8));
    let crossings = 0;
    for (let i = 1; i < mid.length; i++) if (mid[i - 1]! < 0 !== mid[i]! < 0) crossings++;
    return crossings / 2 / (mid.length / 24000);
  };
  const TONE = 'a'.repeat(40); // one steady tone: 40 frames of the same pitch, 3.2 s

  it('--rate 2 halves the duration (within 5 percent) and keeps the pitch (within 3 percent), in every format', () => {
    expect(q3tts(['-o', 'normal.wav', TONE]).code).toBe(0);
    const normal = readWav(path.join(dir, 'normal.wav')).samples;
    const r = q3tts(['-r', '2', '-o', 'fast.wav', TONE]);
    expect(r.code, r.stderr).toBe(0);
    const fast = readWav(path.join(dir, 'fast.wav')).samples;
    expect(Math.abs(fast.length / (normal.length / 2) - 1)).toBeLessThan(0.05);
    expect(Math.abs(pitch(fast) / pitch(normal) - 1)).toBeLessThan(0.03);
    expect(q3tts(['--rate=0.5', '-o', 'slow.flac', TONE]).code).toBe(0);
    expect(Math.abs(probeSeconds(path.join(dir, 'slow.flac')) / (normal.length / 24000 / 0.5) - 1)).toBeLessThan(0.05);
  });

  it('--rate applies to streamed audio too (--raw)', () => {
    const raw = spawnSync(process.execPath, [cli, '--raw', '-r', '2', TONE], { env, cwd: dir });
    expect(raw.status).toBe(0);
    expect(Math.abs(raw.stdout.length / 2 / ((TONE.length * 1920) / 2) - 1)).toBeLessThan(0.05);
  });

  it('--volume 50 halves every sample; 0 is silence', () => {
    expect(q3tts(['-o', 'full.wav', 'Hi']).code).toBe(0);
    expect(q3tts(['--volume', '50', '-o', 'half.wav', 'Hi']).code).toBe(0);
    expect(q3tts(['--volume', '0', '-o', 'mute.wav', 'Hi']).code).toBe(0);
    const full = readWav(path.join(dir, 'full.wav')).samples;
    const half = readWav(path.join(dir, 'half.wav')).samples;
    expect(half.length).toBe(full.length);
    for (let i = 0; i < full.length; i += 97) expect(Math.abs(half[i]! - full[i]! / 2)).toBeLessThanOrEqual(1);
    expect(readWav(path.join(dir, 'mute.wav')).samples.every((x) => x === 0)).toBe(true);
  });

  it('out-of-range values are refused by the CLI (naming the flag) and by the protocol', async () => {
    expect(q3tts(['-r', '3', 'Hi']).stderr).toMatch(/--rate must be between 0.5 and 2/);
    expect(q3tts(['--volume', '120', 'Hi']).stderr).toMatch(/--volume must be between 0 and 100/);
    const c = await connectRaw(env.Q3TTS_SOCKET!);
    c.socket.write(encodeFrame({ action: 'generate', id: 1, text: 'Hi', rate: 0.2 }));
    const [answer] = await c.next(1);
    c.socket.destroy();
    expect(answer).toMatchObject({
      status: 'error',
      code: 'E_INVALID',
      message: expect.stringMatching(/field 'rate'/),
    });
  });
});

describe('cancel N', () => {
  beforeAll(async () => {
    if (spawnSync(process.execPath, [cli, 'status'], { env }).status !== 0)
      daemon = await startServe(env, ['--engine', 'tone']);
  });

  it('cancels that job only; the others stay queued; an unknown job says so', () => {
    expect(q3tts(['pause']).code).toBe(0);
    for (const text of ['first job', 'second job', 'third job']) expect(q3tts(['--no-wait', text]).code).toBe(0);
    const jobs = q3tts(['queue'])
      .out.trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(jobs).toHaveLength(3);
    const second = jobs[1]![0]!;
    const r = q3tts(['cancel', second]);
    expect([r.code, r.out]).toEqual([0, 'cancelled 1\n']);
    const left = q3tts(['queue'])
      .out.trim()
      .split('\n')
      .map((l) => l.split('\t')[2]);
    expect(left).toEqual(['first job', 'third job']);
    expect(q3tts(['cancel', '99999']).out).toMatch(/no job 99999/);
    expect(q3tts(['cancel', 'two']).stderr).toMatch(/takes one job number/);
    q3tts(['cancel']);
    q3tts(['resume']);
  });
});

describe('--raw into a reader that leaves (issue 16, found driving the CLI on the 0.6B model)', () => {
  it('`q3tts --raw … | head -c N` exits 0 quietly and cancels its job: the daemon does not speak on for nobody', async () => {
    // a daemon of its own whose tone engine takes 20 ms a frame: this text would keep it busy for a minute
    const slowEnv = { ...env, Q3TTS_SOCKET: path.join(dir, 'slow', 'daemon.sock'), Q3TTS_TONE_MS_PER_FRAME: '20' };
    const slow = await startServe(slowEnv, ['--engine', 'tone']);
    try {
      const text = 'la '.repeat(1000);
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" --raw "${text}" | head -c 4000 > /dev/null`], {
        env: slowEnv,
        cwd: dir,
        timeout: 60_000,
      });
      expect(r.status).toBe(0);
      expect(r.stderr.toString()).toBe('');
      let jobs: unknown[] = [{}];
      for (let i = 0; i < 100 && jobs.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const q = spawnSync(process.execPath, [cli, 'queue', '--json'], { env: slowEnv });
        jobs = (JSON.parse(q.stdout.toString()) as { jobs: unknown[] }).jobs;
      }
      expect(jobs).toEqual([]); // cancelled, not still speaking ~60 s of audio into the void
    } finally {
      slow.child.kill('SIGKILL');
    }
  });
});
