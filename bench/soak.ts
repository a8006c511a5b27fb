// npm run soak — keeps the red team's findings found (issue 16). A real `q3tts serve` on the tiny synthetic
// model (engine host process, onnxruntime), driven for SOAK_SECONDS (default 180) by SOAK_CLIENTS clients
// (default 8) with mixed requests: generate to files and to the (null) audio sink, status, ping, queue, cancel,
// interrupt, decode, and malformed frames; and through the front doors (served on loopback ports), HTTP speech
// (wav, pcm, streamed and abandoned), malformed HTTP, Wyoming describe/synthesize/streams and lying headers
// (bench/soak-http.ts, bench/soak-wyoming.ts); meanwhile the engine host is killed (SIGKILL) and the handlers file
// edited (a harmless change, or broken then restored) at random moments. At the end: every request answered
// exactly once (through a door: one complete response, or a clean close after the client gave up), every ok file a valid WAV, no temporaries left, daemon RSS within SOAK_RSS_MB (default 40 MB)
// plus 4 MB per handlers version loaded during the run (Node never frees one; with SOAK_HEAP=1 the heap after forced GCs
// is bounded the same way), and the engine's within 2× of its start, and the daemon's fd count back where it started. Exit code 1 on
// any failure; the figures go to BENCHMARKS.md ("Soak").
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  utimesSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FrameDecoder, encodeFrame } from '../src/shared/protocol.js';
import { buildSyntheticModel } from '../test/synthetic/build.js';
import { readWav } from '../test/support/wav.js';
import { machine, writeSection } from './report.js';
import { httpRequest } from './soak-http.js';
import { wyomingRequest } from './soak-wyoming.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'out/cli/q3tts.mjs');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const RSS_BOUND_MB = Number(process.env.SOAK_RSS_MB ?? 40);
// Each handlers version loaded during the run stays in the daemon for good (Node cannot unload an ES module:
// docs/handlers.md). For out/daemon/handlers.mjs (790 kB), Node 20: 2.9 MB of heap and 3.8 MB of RSS per version
// after a full GC once imported, 3.0–3.5 MB of heap once its code has run (the steps of the soak's heap series).
// The bounds add this much per version, so edits are allowed for and nothing else is.
const VERSION_HEAP_MB = 3.5;
const VERSION_RSS_MB = 4;
/** Retained heap (after forced GCs) the traffic itself may add, with SOAK_HEAP=1: flat within ~1.5 MB in 300 s. */
const HEAP_BOUND_MB = 5;
const loadsIn = (log: string) => (log.match(/handlers loaded/g) ?? []).length;
const work = path.join(os.tmpdir(), `q3tts-soak-${process.pid}`);
const outDir = path.join(work, 'out');
const socketPath = path.join(work, 'q3tts-sock', 'daemon.sock');
const handlersFile = path.join(work, 'handlers.mjs');
// SOAK_HEAP=1: the daemon runs with --expose-gc and bench/heap-probe; each 10 s sample also records its heap
// after two forced GCs (retained memory), beside RSS (which includes what V8 and the allocator keep for reuse).
const HEAP = process.env.SOAK_HEAP === '1';
const heapFile = path.join(work, 'heap.jsonl');
// SOAK_CHAOS=kills: engine kills but no handler edits; none: neither. Every handlers version is a module instance
// Node never frees (docs/handlers.md), so a heap series meant to show what the traffic retains is taken without them.
const CHAOS = (process.env.SOAK_CHAOS ?? 'all') as 'all' | 'kills' | 'none';
const EDITS = CHAOS === 'all';

let seed = 12345;
/** Deterministic randomness: a failing run can be repeated with the same SOAK_SEED. */
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStatus(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: rss, fds: readdirSync(`/proc/${pid}/fd`).length };
}

function enginePid(daemonPid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${daemonPid}/task/${daemonPid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return kids[0];
  } catch {
    return undefined;
  }
}

interface HeapSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  handles: number;
}
/** SIGUSR2 to the daemon's heap probe, then its new line (undefined if none came within 5 s). */
async function heapSample(pid: number): Promise<HeapSample | undefined> {
  const lines = () => (existsSync(heapFile) ? readFileSync(heapFile, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const now = lines();
    if (now.length > before) {
      const h = JSON.parse(now[now.length - 1]!) as HeapSample;
      console.error(`heap: ${JSON.stringify(h)}`);
      return h;
    }
  }
  return undefined;
}

interface Tally {
  sent: number;
  answers: Map<string, number>;
  codes: Map<string, number>;
  okFiles: string[];
  problems: string[];
}
const tally: Tally = { sent: 0, answers: new Map(), codes: new Map(), okFiles: [], problems: [] };
const expected = new Map<string, string>(); // id → action
const engineErrors = new Map<string, number>(); // E_ENGINE messages (without their details) → count
const doors = { httpBase: new URL('http://127.0.0.1'), wyomingPort: 0, sent: 0, codes: new Map<string, number>() };
/** A door request's outcome: counted; a problem fails the soak. */
function recordDoor(outcome: string, problem?: string): void {
  doors.codes.set(outcome, (doors.codes.get(outcome) ?? 0) + 1);
  if (problem) tally.problems.push(problem);
}

/** One client connection: requests by id, answers counted (a second answer for an id is a failure). */
class Client {
  private readonly decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
  private readonly waiting = new Map<string, (answer: Record<string, unknown>) => void>();
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      for (const f of this.decoder.push(d)) {
        if (!f.ok) continue;
        const m = f.value;
        if (typeof m.event === 'string') continue;
        const id = String(m.id);
        const n = (tally.answers.get(id) ?? 0) + 1;
        tally.answers.set(id, n);
        if (n > 1) tally.problems.push(`request ${id} answered ${n} times`);
        const code = m.status === 'ok' ? 'ok' : String(m.code);
        tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
        if (code === 'E_ENGINE') {
          const why = String(m.message).replace(/\(.*$/, '').trim();
          engineErrors.set(why, (engineErrors.get(why) ?? 0) + 1);
        }
        this.waiting.get(id)?.(m);
        this.waiting.delete(id);
      }
    });
    socket.on('error', () => undefined);
  }
  static connect(): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  ask(request: Record<string, unknown> & { id: string }): Promise<Record<string, unknown>> {
    tally.sent++;
    expected.set(request.id, String(request.action));
    return new Promise((resolve) => {
      this.waiting.set(request.id, resolve);
      this.socket.write(encodeFrame(request));
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

/** A malformed frame on a connection of its own: exactly one error answer, whatever it is. */
async function malformed(): Promise<void> {
  const cases: Buffer[] = [
    Buffer.from('{not json'),
    Buffer.from(`{"action":"ping","id":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    Buffer.from('{"action":"ping","id":{"x":1}}'),
    Buffer.from('{"action":"generate","text":123}'),
    Buffer.from('{"action":"no_such_action"}'),
    Buffer.from('[1,2,3]'),
    Buffer.from([0xff, 0xfe, 0x00]),
  ];
  const body = pick(cases);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  tally.sent++;
  const answers = await new Promise<Record<string, unknown>[]>((resolve) => {
    const s = net.connect(socketPath);
    const d = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    const got: Record<string, unknown>[] = [];
    const finish = () => {
      s.destroy();
      resolve(got);
    };
    // up to 10 s for the answer (a contended machine), then 200 ms more to catch a second one
    const deadline = setTimeout(finish, 10_000);
    s.on('data', (chunk) => {
      for (const f of d.push(chunk)) if (f.ok) got.push(f.value);
      if (got.length === 1) {
        clearTimeout(deadline);
        setTimeout(finish, 200);
      }
    });
    s.on('error', () => undefined);
    s.once('connect', () => s.write(Buffer.concat([head, body])));
  });
  const code =
    answers.length === 1 && answers[0]!.status === 'error'
      ? `malformed:${String(answers[0]!.code)}`
      : `malformed:${answers.length} answers`;
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
  if (answers.length !== 1 || answers[0]!.status !== 'error')
    tally.problems.push(`a malformed frame got ${answers.length} answers: ${JSON.stringify(answers).slice(0, 200)}`);
}

const TEXTS = [
  'Hello there.',
  'A short one, then another.',
  'Numbers like 3.14 and 42 are read out.',
  '😀😀 emoji run 😀😀😀',
  'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.',
];

async function clientLoop(n: number, until: number): Promise<void> {
  const c = await Client.connect();
  let k = 0;
  const id = () => `c${n}-${k++}`;
  let codes: number[][] | undefined;
  while (Date.now() < until) {
    const op = pick([
      'file',
      'file',
      'play',
      'status',
      'ping',
      'queue',
      'cancel',
      'interrupt',
      'decode',
      'malformed',
      'http',
      'http',
      'wyoming',
      'wyoming',
    ] as const);
    const base = {
      language: 'English',
      max_new_tokens: 8 + Math.floor(random() * 16),
      seed: Math.floor(random() * 1000),
    };
    if (op === 'file' || op === 'decode') {
      const output = path.join(outDir, `${id()}.wav`);
      if (op === 'decode' && codes) {
        const a = await c.ask({ action: 'decode', id: path.basename(output, '.wav'), frames: codes, output });
        if (a.status === 'ok') tally.okFiles.push(output);
        continue;
      }
      const codesOut = codes ? undefined : `${output}.codes.json`;
      const a = await c.ask({
        action: 'generate',
        id: path.basename(output, '.wav'),
        text: pick(TEXTS),
        output,
        ...(codesOut ? { codes_out: codesOut } : {}),
        ...base,
      });
      if (a.status === 'ok') {
        tally.okFiles.push(output);
        if (codesOut) codes = JSON.parse(readFileSync(codesOut, 'utf8')) as number[][];
      }
    } else if (op === 'play') {
      await c.ask({ action: 'generate', id: id(), text: pick(TEXTS), ...base });
    } else if (op === 'interrupt') {
      await c.ask({ action: 'generate', id: id(), text: pick(TEXTS), interrupt: true, ...base });
    } else if (op === 'cancel') {
      const target = id();
      const speech = c.ask({ action: 'generate', id: target, text: pick(TEXTS), ...base });
      await sleep(random() * 300);
      await c.ask({ action: 'cancel', id: id(), target });
      await speech;
    } else if (op === 'malformed') {
      await malformed();
    } else if (op === 'http') {
      doors.sent++;
      await httpRequest(doors.httpBase, random, recordDoor);
    } else if (op === 'wyoming') {
      doors.sent++;
      await wyomingRequest(doors.wyomingPort, random, recordDoor);
    } else {
      await c.ask({ action: op, id: id() });
    }
  }
  c.close();
}

async function chaos(
  daemonPid: number,
  until: number,
  counts: { kills: number; edits: number; broken: number },
): Promise<void> {
  const good = readFileSync(handlersFile);
  const touch = () => {
    const t = Date.now() / 1000 + counts.edits;
    utimesSync(handlersFile, t, t);
  };
  while (Date.now() < until - 3000) {
    await sleep(2000 + random() * 6000);
    const r = random();
    if (CHAOS === 'none') continue;
    if (r < 0.5) {
      const pid = enginePid(daemonPid);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
          counts.kills++;
        } catch {
          // already restarting
        }
      }
    } else if (!EDITS) {
      continue; // the same moments and kills as with edits, minus the edits
    } else if (r < 0.75) {
      writeFileSync(handlersFile, Buffer.concat([good, Buffer.from(`\n// soak edit ${counts.edits}\n`)]));
      touch();
      counts.edits++;
    } else {
      writeFileSync(handlersFile, 'export const handle = (;');
      touch();
      counts.broken++;
      await sleep(200 + random() * 800);
      writeFileSync(handlersFile, good); // restored to the earlier content
      touch();
      counts.edits++;
    }
  }
  writeFileSync(handlersFile, good);
  touch();
}

async function main(): Promise<number> {
  seed = Number(process.env.SOAK_SEED ?? seed);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const modelDir = path.join(os.tmpdir(), 'q3tts-soak-model-tiny');
  if (!existsSync(path.join(modelDir, '.complete'))) {
    rmSync(modelDir, { recursive: true, force: true });
    await buildSyntheticModel(modelDir, { size: 'tiny', precision: 'fp32', variant: 'voice_design', seed: 7 });
    writeFileSync(path.join(modelDir, '.complete'), '');
  }
  copyFileSync(path.join(root, 'out/daemon/handlers.mjs'), handlersFile);
  const env = {
    ...process.env,
    Q3TTS_SOCKET: socketPath,
    Q3TTS_MODEL_DIR: modelDir,
    Q3TTS_AUDIO: 'null',
    Q3TTS_HANDLERS: handlersFile,
    Q3TTS_THREADS: '1',
  };
  const probe = ['--expose-gc', '--import', path.join(root, 'out/bench/heap-probe.mjs')];
  const daemon: ChildProcess = spawn(
    process.execPath,
    [...(HEAP ? probe : []), cli, 'serve', '--http', '127.0.0.1:0', '--wyoming', '127.0.0.1:0'], // port 0: free ports, loopback only
    { env: HEAP ? { ...env, SOAK_HEAP_FILE: heapFile } : env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  daemon.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    daemon.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const http = /HTTP door \(OpenAI API\) on (http:\/\/\S+)/.exec(out)?.[1];
      const wyoming = /Wyoming door on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (!http || !wyoming) return;
      doors.httpBase = new URL(http);
      doors.wyomingPort = Number(wyoming);
      resolve();
    });
    daemon.once('exit', (code) => reject(new Error(`q3tts serve exited (${code}): ${log}`)));
  });
  const pid = daemon.pid!;
  let died = '';
  let stopping = false;
  daemon.once('exit', (code, signal) => {
    if (stopping) return;
    died = `q3tts serve exited during the soak (code ${code}, signal ${signal}); its last log lines: ${log.trim().split('\n').slice(-5).join(' | ')}`;
    console.error(died);
  });

  // warm-up: every path once, so the start figures include what any daemon holds after its first requests
  const warm = await Client.connect();
  await warm.ask({
    action: 'generate',
    id: 'warm-1',
    text: 'warm up',
    output: path.join(outDir, 'warm.wav'),
    max_new_tokens: 8,
  });
  tally.okFiles.push(path.join(outDir, 'warm.wav'));
  await warm.ask({ action: 'generate', id: 'warm-2', text: 'warm up', max_new_tokens: 8 });
  warm.close();
  const warmDoor = (_outcome: string, problem?: string) => problem && tally.problems.push(`warm-up: ${problem}`);
  for (let i = 0; i < 6; i++) {
    await httpRequest(doors.httpBase, random, warmDoor);
    await wyomingRequest(doors.wyomingPort, random, warmDoor);
  }
  await sleep(1000);
  const heapStart = HEAP ? await heapSample(pid) : undefined;
  const start = procStatus(pid);
  const loadsAtStart = loadsIn(log);
  const engineStart = procStatus(enginePid(pid)!);
  const samples: { t: number; rssMb: number }[] = [{ t: 0, rssMb: start.rssMb }];
  const heaps: (HeapSample & { at: number })[] = heapStart ? [{ ...heapStart, at: 0 }] : [];

  const began = Date.now();
  const until = began + SECONDS * 1000;
  const counts = { kills: 0, edits: 0, broken: 0 };
  const sampler = setInterval(() => {
    if (died) return;
    const t = Math.round((Date.now() - began) / 1000);
    samples.push({ t, rssMb: procStatus(pid).rssMb });
    if (HEAP) void heapSample(pid).then((h) => h && heaps.push({ ...h, at: t }));
  }, 10_000);
  // a request never answered must not hang the soak: after a generous grace the checks run and name it
  const running = Promise.all([
    ...Array.from({ length: CLIENTS }, (_, i) => clientLoop(i, until)),
    chaos(pid, until, counts),
  ]);
  await Promise.race([running, sleep(SECONDS * 1000 + 120_000)]);
  clearInterval(sampler);
  const wall = (Date.now() - began) / 1000;

  // settle: the engine back, connections gone
  for (let i = 0; i < 50 && !enginePid(pid); i++) await sleep(200);
  const last = await Client.connect();
  await last.ask({ action: 'generate', id: 'final', text: 'final check', max_new_tokens: 8 });
  last.close();
  await sleep(1500);
  const heapEnd = HEAP && !died ? await heapSample(pid) : undefined;
  if (heapEnd) heaps.push({ ...heapEnd, at: Math.round((Date.now() - began) / 1000) });
  const end = died ? { rssMb: NaN, fds: NaN } : procStatus(pid);
  const enginePidEnd = enginePid(pid);
  const engineEnd = enginePidEnd ? procStatus(enginePidEnd) : { rssMb: NaN, fds: NaN };

  // checks
  for (const id of expected.keys())
    if (!tally.answers.has(id)) tally.problems.push(`request ${id} (${expected.get(id)}) never answered`);
  let badFiles = 0;
  for (const f of tally.okFiles) {
    try {
      if (readWav(f).samples.length === 0) throw new Error('no samples');
    } catch (err) {
      badFiles++;
      tally.problems.push(`${f}: ${String(err)}`);
    }
  }
  const temporaries = readdirSync(outDir).filter((n) => n.includes('.tmp-'));
  if (temporaries.length) tally.problems.push(`temporaries left: ${temporaries.join(', ')}`);
  const versions = loadsIn(log) - loadsAtStart; // handlers versions loaded during the run
  const rssBound = RSS_BOUND_MB + VERSION_RSS_MB * versions;
  if (end.rssMb - start.rssMb > rssBound)
    tally.problems.push(
      `daemon RSS grew ${(end.rssMb - start.rssMb).toFixed(1)} MB (bound ${RSS_BOUND_MB} + ${VERSION_RSS_MB} × ${versions} handlers versions = ${rssBound})`,
    );
  const heapBound = HEAP_BOUND_MB + VERSION_HEAP_MB * versions;
  if (heapStart && heapEnd && heapEnd.heapUsed - heapStart.heapUsed > heapBound)
    tally.problems.push(
      `daemon heap after GC grew ${(heapEnd.heapUsed - heapStart.heapUsed).toFixed(1)} MB (bound ${HEAP_BOUND_MB} + ${VERSION_HEAP_MB} × ${versions} handlers versions = ${heapBound})`,
    );
  if (engineEnd.rssMb > 2 * engineStart.rssMb)
    tally.problems.push(
      `engine RSS ${engineEnd.rssMb.toFixed(0)} MB, over 2× its start (${engineStart.rssMb.toFixed(0)} MB)`,
    );
  if (end.fds !== start.fds) tally.problems.push(`daemon fd count ${start.fds} → ${end.fds}`);
  if ((tally.codes.get('E_INTERNAL') ?? 0) > 0)
    tally.problems.push(`${tally.codes.get('E_INTERNAL')} E_INTERNAL answers`);

  if (died) tally.problems.push(died);
  stopping = true;
  daemon.kill('SIGTERM');
  if (daemon.exitCode === null && daemon.signalCode === null) await new Promise((r) => daemon.once('exit', r));
  const socketLeft = existsSync(socketPath);
  if (socketLeft) tally.problems.push('socket left behind after SIGTERM');

  const codeList = [...tally.codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const heapTrend = heaps
    .map(
      (h) =>
        `${h.at} s: ${h.heapUsed.toFixed(1)} / ${h.external.toFixed(1)} / ${h.arrayBuffers.toFixed(1)} / ${h.rss.toFixed(1)}`,
    )
    .join(' · ');
  const rssTrend = samples.map((s) => `${s.t} s: ${s.rssMb.toFixed(1)}`).join(' · ');
  const date = new Date().toISOString().slice(0, 10);
  const body = `
\`npm run soak\` (SOAK_SECONDS=${SECONDS}, SOAK_CLIENTS=${CLIENTS}, SOAK_SEED=${process.env.SOAK_SEED ?? 12345}). ${machine()}; ${date}.
The machine was shared with other work while it ran (CPU contended), so the request counts are not speed figures.
A \`q3tts serve\` on the tiny synthetic model (engine host process, onnxruntime), ${CLIENTS} clients with mixed
requests (generate to files and to the null audio sink, status, ping, queue, cancel, interrupt, decode, malformed
frames; through the doors on loopback ports: HTTP speech as wav and pcm, some streamed and abandoned mid-body,
malformed bodies, wrong methods and paths, lying Content-Length headers; Wyoming describe, synthesize, streamed
synthesize, synthesize abandoned after its audio began, lying event headers) for ${wall.toFixed(0)} s, while the engine was killed ${counts.kills} times and the handlers file edited ${counts.edits}
times (${counts.broken} of them broken for a moment, then restored; ${versions} new handlers versions loaded).

| check | result |
|---|---|
| requests sent / answered exactly once | ${expected.size} / ${[...tally.answers.values()].filter((n) => n === 1).length} |
| malformed frames sent / answered with one error | ${tally.sent - expected.size} / ${[...tally.codes.entries()].filter(([c]) => /^malformed:E_/.test(c)).reduce((n, [, k]) => n + k, 0)} |
| answers by code | ${codeList} |
| door requests sent / ended as expected (one complete response, or a clean close after the client gave up) | ${doors.sent} / ${[...doors.codes.entries()].filter(([c]) => !/bad|no answer/.test(c)).reduce((n, [, k]) => n + k, 0)} |
| door outcomes | ${[...doors.codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ')} |
| E_ENGINE answers by message | ${[...engineErrors.entries()].map(([m, n]) => `${m} ${n}`).join('; ') || 'none'} |
| ok WAV files valid | ${tally.okFiles.length - badFiles} of ${tally.okFiles.length} |
| temporaries left | ${temporaries.length} |
| daemon RSS (start → end, bound +${RSS_BOUND_MB} MB + ${VERSION_RSS_MB} MB per new handlers version = +${rssBound} MB) | ${start.rssMb.toFixed(1)} → ${end.rssMb.toFixed(1)} MB |
| daemon RSS over the run | ${rssTrend} MB |
${heaps.length ? `| daemon heap after forced GC (SOAK_HEAP=1; heapUsed bound +${HEAP_BOUND_MB} MB + ${VERSION_HEAP_MB} MB per new handlers version = +${heapBound} MB): heapUsed / external / arrayBuffers / RSS | ${heapTrend} MB |\n` : ''}| engine RSS (first host → host at the end) | ${engineStart.rssMb.toFixed(0)} → ${engineEnd.rssMb.toFixed(0)} MB |
| daemon open fds (start → end) | ${start.fds} → ${end.fds} |
| socket removed on SIGTERM | ${socketLeft ? 'no' : 'yes'} |
| problems | ${tally.problems.length ? tally.problems.slice(0, 10).join('; ') : 'none'} |
`;
  for (const problem of tally.problems) console.error(`problem: ${problem}`);
  const file = writeSection('Soak', body);
  console.log(body);
  console.log(`written to ${file}`);
  rmSync(work, { recursive: true, force: true });
  return tally.problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
