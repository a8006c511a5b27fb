// The real PortAudio path: naudiodon plays into an ALSA "file" device that exists only in this test's
// environment, and the samples that reach the device are compared with what was sent.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToInt16 } from '../../../src/core/audio/pcm.js';
import { testSignal } from './fixtures/signals.js';
import {
  buildChild,
  fileDevice,
  findSignal,
  naudiodonDir,
  root,
  runChild,
  s16le,
  startPacedDevice,
  tempDir,
  writeAlsaConfig,
} from './harness.js';

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);
const addon = path.join(naudiodonDir, 'build', 'Release', 'naudiodon.node');
const built = existsSync(addon);
if (!built)
  console.warn(`naudiodon tests skipped: ${addon} is not built (npm install runs scripts/patch-naudiodon.mjs)`);

let tmp: ReturnType<typeof tempDir>;
let child: string;

beforeAll(async () => {
  tmp = tempDir('pa');
  child = await buildChild(tmp.dir);
});
afterAll(() => tmp.remove());

describe.skipIf(!built)('patched naudiodon', () => {
  it('registers no segfault handler: a crash writes no crash.log and nothing goes to stdout', () => {
    const cwd = path.join(tmp.dir, 'crash-cwd');
    mkdirSync(cwd);
    const asoundrc = writeAlsaConfig(tmp.dir, fileDevice(path.join(tmp.dir, 'crash.raw')));
    const script = `const na = require(${JSON.stringify(naudiodonDir)}); na.getDevices(); process.kill(process.pid, 'SIGSEGV');`;
    const res = spawnSync(process.execPath, ['-e', script], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ALSA_CONFIG_PATH: asoundrc },
    });
    expect(res.signal).toBe('SIGSEGV');
    expect(readdirSync(cwd)).toEqual([]);
    expect(res.stdout).toBe('');
    expect(readFileSync(path.join(naudiodonDir, 'index.js'), 'utf8')).not.toMatch(/segfault-handler|crash\.log/);
  });

  it('loads from a copy of its package directory elsewhere (RUNPATH $ORIGIN), using the copied libportaudio', () => {
    const modules = path.join(tmp.dir, 'elsewhere', 'node_modules');
    for (const pkg of ['naudiodon', 'bindings', 'file-uri-to-path']) {
      const from = path.join(root, 'node_modules', pkg);
      if (existsSync(from))
        cpSync(from, path.join(modules, pkg), {
          recursive: true,
          filter: (src) => !src.includes(`${path.sep}obj.target`),
        });
    }
    const script = `
      const na = require(${JSON.stringify(path.join(modules, 'naudiodon'))});
      const n = na.getDevices().length;
      const libs = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.includes('libportaudio')).map((l) => l.split(/\\s+/).pop());
      console.log(JSON.stringify({ n, libs: [...new Set(libs)] }));`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ALSA_CONFIG_PATH: writeAlsaConfig(tmp.dir, fileDevice(path.join(tmp.dir, 'copy.raw'))),
    };
    delete env.LD_LIBRARY_PATH;
    const res = spawnSync(process.execPath, ['-e', script], { cwd: tmp.dir, encoding: 'utf8', env });
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { n: number; libs: string[] };
    expect(out.libs).toEqual([path.join(modules, 'naudiodon', 'build', 'Release', 'libportaudio.so.2')]);
  });

  it('plays exactly the samples it was given (through an ALSA file device)', async () => {
    const raw = path.join(tmp.dir, 'played.raw');
    const asoundrc = writeAlsaConfig(tmp.dir, fileDevice(raw));
    const res = await runChild(child, { op: 'play', kind: 'portaudio' }, { ALSA_CONFIG_PATH: asoundrc });
    expect(res.json, res.stderr).toMatchObject({ ok: true, sink: 'NaudiodonSink' });
    const expected = floatToInt16(testSignal());
    const found = findSignal(s16le(readFileSync(raw)), expected);
    expect(found).toMatchObject({ mismatches: 0, trailingNonZero: 0 });
    expect(found.offset).toBeGreaterThanOrEqual(0);
  });

  describe('against a device with a real-time clock', () => {
    let reason: string | undefined;
    let device: Exclude<Awaited<ReturnType<typeof startPacedDevice>>, string> | undefined;
    let asoundrc = '';
    beforeAll(async () => {
      const dir = path.join(tmp.dir, 'paced');
      mkdirSync(dir);
      const started = await startPacedDevice(dir);
      if (typeof started === 'string') {
        reason = started;
        console.warn(`real-time PortAudio tests skipped: ${reason}`);
        return;
      }
      device = started;
      asoundrc = writeAlsaConfig(dir, `  type file\n  slave.pcm "null"\n  file "${started.fifo}"\n  format "raw"`);
    });
    afterAll(async () => device?.stop());

    it('drain() resolves only once the audio has been played, and all of it arrived', async (ctx) => {
      if (!device) return ctx.skip();
      const before = sizeOf(device.out);
      const res = await runChild(child, { op: 'play', kind: 'portaudio' }, { ALSA_CONFIG_PATH: asoundrc });
      expect(res.json, res.stderr).toMatchObject({ ok: true });
      const seconds = testSignal().length / 24_000;
      expect(res.json.drainedMs as number).toBeGreaterThan(seconds * 1000 - 150); // not before the device played it
      await new Promise((r) => setTimeout(r, 150));
      const recorded = s16le(readFileSync(device.out).subarray(before));
      expect(findSignal(recorded, floatToInt16(testSignal()))).toMatchObject({ mismatches: 0, trailingNonZero: 0 });
    });

    it('stop() silences within 100 ms: the device stops receiving audio', async (ctx) => {
      if (!device) return ctx.skip();
      const before = sizeOf(device.out);
      const res = await runChild(
        child,
        { op: 'stop', kind: 'portaudio', seconds: 5, stopAfterMs: 300 },
        { ALSA_CONFIG_PATH: asoundrc },
      );
      expect(res.json, res.stderr).toMatchObject({ ok: true });
      const { stopReturnedMs, releasedMs } = res.json as { stopReturnedMs: number; releasedMs: number };
      console.info(
        `PortAudio stop: returned in ${stopReturnedMs.toFixed(2)} ms, device released in ${releasedMs.toFixed(1)} ms`,
      );
      expect(stopReturnedMs).toBeLessThan(100);
      expect(releasedMs).toBeLessThan(100);
      await new Promise((r) => setTimeout(r, 200)); // let the device's clock run: nothing more may arrive
      const played = (sizeOf(device.out) - before) / 2 / 24_000;
      console.info(`PortAudio stop: ${played.toFixed(3)} s of the 5 s tone reached the device`);
      expect(played).toBeGreaterThan(0.2);
      expect(played).toBeLessThan(0.8); // of 5 s: only what was played before the stop (+ a pipe page)
    });
  });
});
