// The speech-dispatcher module against Debian's real speech-dispatcher, started here with a private configuration
// and socket: spd-say → speech-dispatcher → `q3tts speechd-module` → the daemon, which plays into an ALSA device that
// (in this test's environment only) writes what it plays into a file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonConnection } from '../../../src/core/client.js';
import { SpeechdModule, plainText } from '../../../src/core/doors/speechd-module.js';
import { toneCodes, toneFrame } from '../../../src/core/engine/tone.js';
import { fileDevice, tempDir, writeAlsaConfig } from '../audio/harness.js';
import { cliPath, exited, startServe, type Served } from '../../support/serve.js';
import { toInt16 } from '../../support/wav.js';

const hasSpeechd = spawnSync('sh', ['-c', 'command -v speech-dispatcher && command -v spd-say']).status === 0;
const tmp = tempDir('speechd');
const played = path.join(tmp.dir, 'played.raw');
const home = path.join(tmp.dir, 'home');
const spdSocket = path.join(tmp.dir, 'run', 'speechd.sock');
let env: NodeJS.ProcessEnv;
let daemon: Served;
let speechd: ChildProcess;

beforeAll(async () => {
  if (!hasSpeechd) return;
  mkdirSync(path.join(tmp.dir, 'run'), { recursive: true, mode: 0o700 });
  env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_RUNTIME_DIR: path.join(tmp.dir, 'run'),
    ALSA_CONFIG_PATH: writeAlsaConfig(tmp.dir, fileDevice(played)),
    Q3TTS_AUDIO: 'portaudio',
    Q3TTS_TONE_MS_PER_FRAME: '20',
    Q3TTS_SOCKET: path.join(tmp.dir, 'run', 'q3tts.sock'),
    SPEECHD_ADDRESS: `unix_socket:${spdSocket}`,
  };
  daemon = await startServe(env, ['--engine', 'tone']);
  const install = spawnSync(process.execPath, [cliPath, 'speechd', 'install'], { env, encoding: 'utf8' });
  expect(install.status, install.stderr).toBe(0);
  const conf = path.join(tmp.dir, 'speechd-conf');
  mkdirSync(path.join(conf, 'modules'), { recursive: true });
  writeFileSync(path.join(conf, 'speechd.conf'), 'DefaultModule q3tts\nAudioOutputMethod "alsa"\n');
  speechd = spawn('speech-dispatcher', ['-s', '-t', '0', '-c', 'unix_socket', '-S', spdSocket, '-C', conf], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  for (let i = 0; i < 100 && !existsSync(spdSocket); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(spdSocket)).toBe(true);
});

afterAll(async () => {
  speechd?.kill('SIGTERM');
  if (speechd) await exited(speechd);
  daemon?.child.kill('SIGTERM');
  if (daemon) await exited(daemon.child);
  tmp.remove();
});

const spdSay = (...args: string[]) => spawnSync('spd-say', args, { env, encoding: 'utf8', timeout: 30_000 });

function expectedPcm(text: string): Int16Array {
  const frames = toneCodes(text).map((f) => toneFrame(f[0]!));
  return toInt16(Float32Array.from(frames.flatMap((f) => Array.from(f))));
}

const playedBytes = () => (existsSync(played) ? statSync(played).size : 0);

describe.runIf(hasSpeechd)('through the real speech-dispatcher', () => {
  it('q3tts speechd install put the module where speech-dispatcher finds it: spd-say -O lists q3tts', () => {
    expect(spdSay('-O').stdout).toMatch(/^q3tts$/m);
  });

  it("spd-say -o q3tts -L lists the model's voices", () => {
    const r = spdSay('-o', 'q3tts', '-L');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/default\s+en\s+none/);
  });

  it('spd-say -o q3tts -w "…" plays the engine\'s audio on the device and returns when it is done', () => {
    const text = 'Hi you';
    const r = spdSay('-o', 'q3tts', '-w', text);
    expect(r.status, `${r.stderr}\n${daemon.log()}`).toBe(0);
    const raw = readFileSync(played); // the device rewrites its file for each utterance
    const got = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const expected = expectedPcm(text);
    const start = got.findIndex((x) => x !== 0);
    const offset = start - expected.findIndex((x) => x !== 0);
    expect(offset).toBeGreaterThanOrEqual(0);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[offset + i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("spd-say -C stops it: the device gets nothing more and the daemon's queue empties", async () => {
    spdSay('-o', 'q3tts', 'x'.repeat(400)); // about 8 s of generation at 20 ms a frame
    const growing = async () => {
      const a = playedBytes();
      await new Promise((r) => setTimeout(r, 100));
      return playedBytes() > a;
    };
    let speaking = false;
    for (let i = 0; i < 50 && !speaking; i++) speaking = await growing();
    expect(speaking).toBe(true);
    const t0 = performance.now();
    const cancel = spawn('spd-say', ['-C'], { env });
    let lastGrowth = t0;
    let size = playedBytes();
    while (performance.now() - t0 < 1500) {
      await new Promise((r) => setTimeout(r, 5));
      const now = playedBytes();
      if (now !== size) lastGrowth = performance.now();
      size = now;
    }
    await exited(cancel);
    const stoppedAfter = lastGrowth - t0;
    console.log(`spd-say -C: the device got its last audio ${Math.round(stoppedAfter)} ms after spd-say -C started`);
    expect(stoppedAfter).toBeLessThan(1000); // the bar is 100 ms (measured in BENCHMARKS.md); generous here, the CPU is shared
    const status = JSON.parse(
      spawnSync(process.execPath, [cliPath, 'status', '--json'], { env, encoding: 'utf8' }).stdout,
    ) as { queue_length: number };
    expect(status.queue_length).toBe(0);
  });
});

describe.runIf(hasSpeechd)('the module protocol, line by line, against the daemon', () => {
  async function moduleWith(): Promise<{
    send(line: string): Promise<void>;
    out: string[];
    sent: Record<string, unknown>[];
    waitFor(re: RegExp): Promise<string>;
  }> {
    const out: string[] = [];
    const sent: Record<string, unknown>[] = [];
    const connect = async () => {
      const c = await DaemonConnection.connect(env.Q3TTS_SOCKET!);
      return {
        request: (r: Parameters<typeof c.request>[0], e?: Parameters<typeof c.request>[1]) => (
          sent.push(r),
          c.request(r, e)
        ),
      };
    };
    const m = new SpeechdModule(connect, (t) => out.push(...t.split('\n').filter(Boolean)));
    return {
      out,
      sent,
      send: (line) => m.line(line),
      waitFor: async (re) => {
        for (let i = 0; i < 400; i++) {
          const hit = out.find((l) => re.test(l));
          if (hit) return hit;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`no ${re} in ${out.join(' | ')}`);
      },
    };
  }

  it('INIT, SET, SPEAK: the replies speech-dispatcher expects, then BEGIN and END', async () => {
    const m = await moduleWith();
    await m.send('INIT');
    expect(m.out).toEqual(['299-q3tts: connected to the daemon', '299 OK LOADED SUCCESSFULLY']);
    for (const l of ['SET', 'rate=20', 'language=en-US', 'synthesis_voice=NULL', '.']) await m.send(l);
    expect(m.out.slice(2)).toEqual(['207 OK RECEIVING SETTINGS', '203 OK SETTINGS RECEIVED']);
    for (const l of ['SPEAK', '<speak>Hi <mark name="x"/>there</speak>', '..dot', '.']) await m.send(l);
    await m.waitFor(/^702 END$/);
    expect(m.out.slice(4)).toEqual(['202 OK RECEIVING MESSAGE', '200 OK SPEAKING', '701 BEGIN', '702 END']);
    // SSML reduced to words, the escaped dot restored, language and rate (20 → speed 2^0.4) passed on
    expect(m.sent.find((r) => r.action === 'generate')).toMatchObject({
      text: 'Hi there\n.dot',
      language: 'English',
      speed: 1.32,
    });
  });

  it('saved voices: LIST VOICES offers them, and synthesis_voice picks one by name', async () => {
    const save = spawnSync(process.execPath, [cliPath, 'voices', 'save', 'Reader', '-i', 'a clear voice'], {
      env,
      encoding: 'utf8',
    });
    expect(save.status, save.stderr).toBe(0);
    try {
      const m = await moduleWith();
      await m.send('INIT');
      await m.send('LIST VOICES');
      await m.waitFor(/^200 OK VOICE LIST SENT$/);
      expect(m.out).toContain('200-Reader\ten\tnone');
      for (const l of ['SET', 'synthesis_voice=reader', '.']) await m.send(l);
      for (const l of ['SPEAK', 'Hi', '.']) await m.send(l);
      await m.waitFor(/^702 END$/);
      expect(m.sent.find((r) => r.action === 'generate')).toMatchObject({ text: 'Hi', voice: 'Reader' });
      expect(m.sent.find((r) => r.action === 'generate')).not.toHaveProperty('speaker');
    } finally {
      spawnSync(process.execPath, [cliPath, 'voices', 'remove', 'Reader'], { env });
    }
  });

  it('STOP during speech → 703 STOP; PAUSE → 704 PAUSE', async () => {
    const m = await moduleWith();
    await m.send('INIT');
    for (const l of ['SPEAK', 'z'.repeat(300), '.']) await m.send(l);
    await m.waitFor(/^701 BEGIN$/);
    await m.send('STOP');
    await m.waitFor(/^703 STOP$/);
    for (const l of ['SPEAK', 'z'.repeat(300), '.']) await m.send(l);
    await new Promise((r) => setTimeout(r, 100));
    await m.send('PAUSE');
    await m.waitFor(/^704 PAUSE$/);
  });

  it.each([
    [['BOGUS'], '300 ERR UNKNOWN COMMAND'],
    [['SPEAK', '.'], '301 ERROR CANT SPEAK'],
    [['SPEAK', '   ', '.'], '301 ERROR CANT SPEAK'],
    [['CHAR', 'a', 'b', '.'], '305 DATA MORE THAN ONE LINE'],
    [['SET', 'no equals sign', '.'], '302 ERROR BAD SYNTAX'],
    [['SOUND_ICON', 'bell', '.'], '301 ERROR CANT SPEAK'],
  ])('%j → %s', async (lines, reply) => {
    const m = await moduleWith();
    await m.send('INIT');
    for (const l of lines) await m.send(l);
    expect(m.out.at(-1)).toBe(reply);
  });

  it('fuzz: random lines never throw and every command is answered; the daemon is unharmed', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const words = [
      'SPEAK',
      'SET',
      'AUDIO',
      'LOGLEVEL',
      'STOP',
      'PAUSE',
      'LIST VOICES',
      'CHAR',
      'KEY',
      '.',
      '..',
      'rate=x',
      '=',
      'language=',
      '\u0000',
      '<speak>',
      'DEBUG ON /x',
    ];
    const m = await moduleWith();
    await m.send('INIT');
    for (let i = 0; i < 300; i++) {
      const line =
        rand() < 0.7
          ? words[Math.floor(rand() * words.length)]!
          : String.fromCharCode(...Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 0x3000)));
      await m.send(line);
    }
    for (const l of ['.', 'STOP']) await m.send(l); // close any open block
    const conn = await DaemonConnection.connect(env.Q3TTS_SOCKET!);
    await conn.request({ action: 'cancel' });
    expect((await conn.request({ action: 'ping' })).status).toBe('ok');
    conn.close();
  });

  it('plainText strips SSML and decodes its entities', () => {
    expect(plainText('<speak>A &lt;b&gt; &amp; <break time="1s"/>c</speak>')).toBe('A <b> & c');
    expect(plainText('no markup & fine')).toBe('no markup & fine');
  });
});

describe.runIf(hasSpeechd)('uninstall', () => {
  it('q3tts speechd uninstall removes the module and its configuration', () => {
    const module = path.join(home, '.local', 'libexec', 'speech-dispatcher-modules', 'sd_q3tts');
    expect(existsSync(module)).toBe(true);
    const r = spawnSync(process.execPath, [cliPath, 'speechd', 'uninstall'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(existsSync(module)).toBe(false);
    expect(existsSync(path.join(home, '.config', 'speech-dispatcher', 'modules', 'q3tts.conf'))).toBe(false);
  });
});

describe.runIf(hasSpeechd)('the module process ends with speech-dispatcher (issue 16, found driving spd-say)', () => {
  it.each([
    ['QUIT', 'INIT\nQUIT\n'],
    ['its stdin closing', 'INIT\n'],
  ])('after %s, once it has talked to the daemon', async (_what, input) => {
    const module = spawn(process.execPath, [cliPath, 'speechd-module', '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    module.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    module.stdin!.end(input);
    const code = await Promise.race([
      exited(module),
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000)),
    ]);
    module.kill('SIGKILL');
    expect(out).toMatch(/299 OK LOADED SUCCESSFULLY/); // it had a daemon connection open
    expect(code).toBe(0);
  });
});
