// Pulls from a local Hub stand-in (test/core/models/hub-server.ts) serving the synthetic tiny model: real HTTP,
// real files. Resume, retries, stalls, checksums, refusals, a full disk, cancel, and the engine loading the result.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadQwen3Engine } from '../../../src/core/engine/qwen3/engine.js';
import { resolveModelDir } from '../../../src/core/engine/config.js';
import { ModelError } from '../../../src/core/models/errors.js';
import { verifyModel } from '../../../src/core/models/inventory.js';
import { ModelsLayout } from '../../../src/core/models/layout.js';
import { pullModel, type PullEvent, type PullOptions } from '../../../src/core/models/pull.js';
import { writeChunk } from '../../../src/core/models/download.js';
import { currentPathEnv } from '../../../src/core/paths.js';
import { syntheticModel } from '../engine/fixture.js';
import { startFakeHub, type FakeHub } from './hub-server.js';

const REPO = 'wavekat/Qwen3-TTS-1.7B-VoiceDesign-ONNX';
const NAME = 'qwen3-tts-1.7b-voicedesign';
const FOLDER = `${NAME}-fp32`;
const BIG = 'embeddings/text_embedding.npy'; // 9.7 MB, LFS
let hub: FakeHub;
let tmp: string;
let modelDir: string;
let n = 0;

beforeAll(async () => {
  modelDir = await syntheticModel('voice_design', 7);
  hub = await startFakeHub({ [REPO]: modelDir });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'q3tts-pull-'));
});
afterAll(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => hub.reset());

function setup(over: Partial<PullOptions> = {}) {
  const root = over.root ?? path.join(tmp, `data-${++n}`, 'models');
  const data = path.dirname(root);
  const events: PullEvent[] = [];
  const options: PullOptions = {
    root,
    name: NAME,
    precision: 'fp32',
    env: { HF_ENDPOINT: hub.url },
    retryBaseMs: 20,
    retryMaxMs: 100,
    stallTimeoutMs: 2000,
    progressIntervalMs: 20,
    onEvent: (e) => events.push(e),
    ...over,
  };
  return { data, root, events, options, layout: new ModelsLayout(root) };
}

const fileSize = (p: string) => statSync(path.join(modelDir, p)).size;
const cdnGets = (file: string) => hub.log.filter((r) => r.path.startsWith('/cdn/') && r.path.includes(file));

describe('a clean pull', () => {
  it('plans first, installs the layout the engine reads, records a manifest, and the engine speaks from it', async () => {
    const s = setup();
    const r = await pullModel(s.options);
    const plan = s.events[0]!;
    expect(plan.type).toBe('plan');
    const files = hub.files(REPO);
    if (plan.type === 'plan') {
      expect(plan.total_bytes).toBe(files.reduce((a, f) => a + f.size, 0));
      expect(plan.files).toBe(files.length);
      expect(plan.commit).toBe(hub.commit);
      expect(plan.free_bytes).toBeGreaterThan(0);
    }
    expect(r.dir).toBe(path.join(s.root, FOLDER));
    expect(existsSync(s.layout.stagingDir(FOLDER))).toBe(false);
    for (const f of files) expect(readFileSync(path.join(r.dir, f.path)).equals(readFileSync(path.join(modelDir, f.path))), f.path).toBe(true);
    expect(r.manifest.files.map((f) => f.path)).toEqual(files.map((f) => f.path));
    expect(r.manifest.commit).toBe(hub.commit);
    expect(r.manifest.revision).toBe('2026-04-06');
    expect(s.layout.active()).toBe(FOLDER); // the first model becomes active
    expect((await verifyModel(s.layout, FOLDER)).ok).toBe(true);
    // resolve redirected to another path, and the tree came in pages
    expect(hub.log.some((l) => l.path.startsWith(`/${REPO}/resolve/${hub.commit}/`))).toBe(true);
    expect(hub.log.filter((l) => l.path.includes('/tree/')).length).toBeGreaterThan(1);
    const last = s.events.at(-1)!;
    expect(last.type).toBe('installed');

    // The data dir as the daemon sees it: the active model resolves to the pulled folder, and it loads and speaks.
    expect(resolveModelDir(currentPathEnv({ Q3TTS_DATA_DIR: s.data }))).toBe(r.dir);
    const engine = await loadQwen3Engine(r.dir, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    try {
      let samples = 0;
      const req = { text: 'Hello.', language: 'English', instruct: 'A calm voice.', speaker: null, seed: 1, sampling: { doSample: false, maxNewTokens: 4 } };
      for await (const ev of engine.synthesize(req, new AbortController().signal)) if (ev.type === 'audio') samples += ev.samples.length;
      expect(samples).toBeGreaterThan(0);
    } finally {
      await engine.dispose();
    }
  });
});

describe('interruptions', () => {
  it('a connection dropped mid-file resumes from where it stopped (Range), not from zero', async () => {
    const s = setup();
    const cut = 3_000_000;
    hub.faults.dropAfter.set(BIG, cut);
    const r = await pullModel(s.options);
    const gets = cdnGets(BIG);
    expect(gets.length).toBe(2);
    expect(gets[0]!.range).toBeUndefined();
    // The resumed request starts at the very byte where the connection dropped (nothing fetched twice).
    expect(gets[1]!.range).toBe(`bytes=${cut}-`);
    expect(s.events.some((e) => e.type === 'retry' && e.path === BIG)).toBe(true);
    expect(r.downloadedBytes).toBe(hub.files(REPO).reduce((a, f) => a + f.size, 0));
    expect(readFileSync(path.join(r.dir, BIG)).equals(readFileSync(path.join(modelDir, BIG)))).toBe(true);
  });

  it('a stalled connection times out and is retried, resuming', async () => {
    const s = setup({ stallTimeoutMs: 300 });
    hub.faults.stallAfter.set(BIG, 1_000_000);
    const started = performance.now();
    const r = await pullModel(s.options);
    const retry = s.events.find((e) => e.type === 'retry' && e.path === BIG);
    expect(retry && retry.type === 'retry' && retry.reason).toMatch(/stalled/);
    expect(cdnGets(BIG)[1]!.range).toBe('bytes=1000000-');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect((await verifyModel(s.layout, r.folder)).ok).toBe(true);
  });

  it('5xx answers (API and files) are retried with backoff; past the retry budget the pull fails clearly', async () => {
    const s = setup();
    hub.faults.apiFailures = { status: 503, count: 2 };
    hub.faults.cdnFailures = { status: 502, count: 2 };
    const r = await pullModel(s.options);
    const retries = s.events.filter((e): e is Extract<PullEvent, { type: 'retry' }> => e.type === 'retry');
    expect(retries.filter((e) => /503/.test(e.reason))).toHaveLength(2);
    expect(retries.filter((e) => /502/.test(e.reason))).toHaveLength(2);
    expect(retries.filter((e) => /503/.test(e.reason)).map((e) => e.delay_ms)).toEqual([20, 40]); // doubling
    expect((await verifyModel(s.layout, r.folder)).ok).toBe(true);
    hub.faults.apiFailures = { status: 500, count: 10 };
    await expect(pullModel({ ...setup().options, retries: 2 })).rejects.toThrow(/failed with 500/);
  });

  it('a server that ignores Range restarts the file and still installs it correctly', async () => {
    const s = setup();
    hub.faults.dropAfter.set(BIG, 2_000_000);
    hub.faults.ignoreRange = true;
    const r = await pullModel(s.options);
    expect(s.events.some((e) => e.type === 'restart' && e.path === BIG)).toBe(true);
    expect((await verifyModel(s.layout, r.folder)).ok).toBe(true);
  });

  it('cancel keeps the parts; a half-done pull is never loaded; the next pull resumes and completes', async () => {
    const s = setup();
    hub.faults.bytesPerSecond = 4_000_000;
    const controller = new AbortController();
    const pulling = pullModel({ ...s.options, signal: controller.signal, onEvent: (e) => {
      s.events.push(e);
      if (e.type === 'progress' && e.done_bytes > 2_000_000) controller.abort();
    } });
    await expect(pulling).rejects.toMatchObject({ kind: 'cancelled' });
    const staging = s.layout.stagingDir(FOLDER);
    expect(existsSync(staging)).toBe(true);
    expect(existsSync(s.layout.dir(FOLDER))).toBe(false);
    // The staged config.json is not an installed model: the engine still finds nothing to load.
    expect(() => resolveModelDir(currentPathEnv({ Q3TTS_DATA_DIR: s.data }))).toThrow(/no model installed/);
    const part = path.join(staging, `${BIG}.part`);
    const partBytes = existsSync(part) ? statSync(part).size : 0;
    expect(readFileSync(part).equals(readFileSync(path.join(modelDir, BIG)).subarray(0, partBytes))).toBe(true);

    hub.reset();
    const resumed = setup({ root: s.root });
    const r = await pullModel(resumed.options);
    const plan = resumed.events[0]!;
    expect(plan.type === 'plan' && plan.have_bytes).toBeGreaterThan(0);
    if (partBytes > 0) expect(cdnGets(BIG)[0]!.range).toBe(`bytes=${partBytes}-`);
    expect(r.downloadedBytes).toBeLessThan(hub.files(REPO).reduce((a, f) => a + f.size, 0));
    expect((await verifyModel(resumed.layout, FOLDER)).problems).toEqual([]);
  });

  it('a slow server: progress events keep coming, with a speed and a time left', async () => {
    const s = setup({ progressIntervalMs: 50, concurrency: 3 });
    hub.faults.bytesPerSecond = 12_000_000;
    await pullModel(s.options);
    const progress = s.events.filter((e): e is Extract<PullEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(5);
    const done = progress.map((p) => p.done_bytes);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1]!)).toBe(true);
    const mid = progress.filter((p) => p.done_bytes < p.total_bytes && p.speed_bps > 0);
    expect(mid.length).toBeGreaterThan(2);
    expect(mid.some((p) => p.eta_s !== null && p.eta_s > 0)).toBe(true);
    expect(progress.at(-1)!.done_bytes).toBe(progress.at(-1)!.total_bytes);
  });
});

describe('checksums', () => {
  it('a wrong file is deleted and fetched once more', async () => {
    const s = setup();
    hub.faults.corrupt.set(BIG, 1);
    const r = await pullModel(s.options);
    const c = s.events.filter((e) => e.type === 'checksum');
    expect(c).toHaveLength(1);
    expect(cdnGets(BIG)).toHaveLength(2);
    expect(cdnGets(BIG)[1]!.range).toBeUndefined(); // from scratch, not resumed from a bad file
    expect((await verifyModel(s.layout, r.folder)).ok).toBe(true);
  });

  it('wrong twice: a clear failure, the bad file gone, nothing installed', async () => {
    const s = setup();
    hub.faults.corrupt.set(BIG, 2);
    const err = await pullModel(s.options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).kind).toBe('checksum');
    expect((err as Error).message).toMatch(/text_embedding\.npy: sha256 .* does not match .* twice in a row/);
    expect(existsSync(s.layout.dir(FOLDER))).toBe(false);
    expect(existsSync(path.join(s.layout.stagingDir(FOLDER), BIG))).toBe(false);
    expect(existsSync(path.join(s.layout.stagingDir(FOLDER), `${BIG}.part`))).toBe(false);
  });

  it('small git-stored files are checked by their git blob id', async () => {
    const s = setup();
    hub.faults.corrupt.set('config.json', 2);
    await expect(pullModel(s.options)).rejects.toThrow(/config\.json: git blob id .* twice in a row/);
  });
});

describe('refusals and clear errors', () => {
  it('unknown model', async () => {
    const s = setup({ name: 'no-such-model' });
    await expect(pullModel(s.options)).rejects.toThrow(/unknown model 'no-such-model'. Known models: qwen3-tts-1.7b-voicedesign/);
  });

  it('404: the repository is not on this Hub', async () => {
    const s = setup({ name: 'qwen3-tts-1.7b-customvoice' });
    const err = (await pullModel(s.options).catch((e: unknown) => e)) as ModelError;
    expect(err.kind).toBe('http');
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/has no such repository: elbruno\/Qwen3-TTS-12Hz-1.7B-CustomVoice-ONNX@main \(404\)/);
  });

  it('404 on one file fails the pull and names the file', async () => {
    const s = setup();
    hub.faults.missingFiles.add('fp32/vocoder.onnx');
    await expect(pullModel(s.options)).rejects.toThrow(/no such file: .*fp32\/vocoder\.onnx \(404\)/);
    expect(existsSync(s.layout.dir(FOLDER))).toBe(false);
  });

  it('the wrong layout (no int4 graphs in the repo) is refused before any download', async () => {
    const s = setup({ precision: 'int4' });
    await expect(pullModel(s.options)).rejects.toThrow(/lacks 4 files q3tts needs \(int4\/talker_prefill\.onnx/);
    expect(hub.log.some((l) => l.path.startsWith('/cdn/'))).toBe(false);
  });

  it('401 without a token; with HF_TOKEN it works, and the token never goes to the CDN host', async () => {
    hub.faults.token = 'hf_secret';
    hub.faults.crossOrigin = true;
    const s = setup();
    const err = (await pullModel(s.options).catch((e: unknown) => e)) as ModelError;
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/wants a login .* Set HF_TOKEN/);
    const bad = setup({ env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'wrong' } });
    await expect(pullModel(bad.options)).rejects.toThrow(/refused HF_TOKEN/);
    hub.log.length = 0;
    const ok = setup({ env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_secret' } });
    await pullModel(ok.options);
    expect(hub.log.filter((l) => l.server === 'hub').every((l) => l.auth === 'Bearer hf_secret')).toBe(true);
    const cdn = hub.log.filter((l) => l.server === 'cdn');
    expect(cdn.length).toBe(hub.files(REPO).length);
    expect(cdn.every((l) => l.auth === undefined)).toBe(true);
  });

  it('no network: a clear message after the retries', async () => {
    const s = setup({ env: { HF_ENDPOINT: 'http://127.0.0.1:9' }, retries: 1 });
    await expect(pullModel(s.options)).rejects.toThrow(/127\.0\.0\.1:9 refused the connection: no network, or HF_ENDPOINT points at nothing/);
  });

  it('refuses up front when the disk has too little space, showing the plan first', async () => {
    const s = setup({ freeBytes: async () => 1_000_000 });
    await expect(pullModel(s.options)).rejects.toMatchObject({ kind: 'no_space' });
    expect(s.events[0]!.type).toBe('plan');
    expect(hub.log.some((l) => l.path.startsWith('/cdn/'))).toBe(false);
  });

  it('disk full mid-download: nothing corrupt is left, and the pull resumes once there is space', async () => {
    let budget = 5_000_000;
    const fullDisk = async (handle: FileHandle, chunk: Buffer, position: number) => {
      if (chunk.length > budget) {
        // A real full disk: part of the chunk lands, then ENOSPC.
        await writeChunk(handle, chunk.subarray(0, budget), position);
        budget = 0;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      budget -= chunk.length;
      await writeChunk(handle, chunk, position);
    };
    const s = setup({ write: fullDisk });
    const err = (await pullModel(s.options).catch((e: unknown) => e)) as ModelError;
    expect(err.kind).toBe('no_space');
    expect(err.message).toMatch(/disk is full \(ENOSPC\).*run the pull again \(it resumes\)/);
    expect(existsSync(s.layout.dir(FOLDER))).toBe(false);
    // Every .part is an exact prefix of the real file (the half-written chunk was cut away).
    const staging = s.layout.stagingDir(FOLDER);
    for (const f of hub.files(REPO)) {
      const part = path.join(staging, `${f.path}.part`);
      if (!existsSync(part)) continue;
      const bytes = readFileSync(part);
      expect(bytes.equals(readFileSync(path.join(modelDir, f.path)).subarray(0, bytes.length)), f.path).toBe(true);
    }
    const resumed = setup({ root: s.root });
    const r = await pullModel(resumed.options);
    expect((await verifyModel(resumed.layout, r.folder)).ok).toBe(true);
    expect(fileSize(BIG)).toBe(statSync(path.join(r.dir, BIG)).size);
  });
});
