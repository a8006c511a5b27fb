// Test harness for the audio tests: an ALSA configuration that exists only in the test's environment,
// and a child process (built from fixtures/child.ts) that plays through it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

export const root = path.resolve(import.meta.dirname, '../../..');
export const naudiodonDir = path.join(root, 'node_modules', 'naudiodon');

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `q3tts-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles the child scenario runner into `dir` (outside the repo); packages stay external. */
export async function buildChild(dir: string): Promise<string> {
  const outfile = path.join(dir, 'child.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'fixtures', 'child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  chmodSync(dir, 0o755); // readable by another uid (the EACCES test runs as nobody when we are root)
  return outfile;
}

/**
 * ALSA_CONFIG_PATH replaces the whole configuration, so the system's alsa.conf comes first (it defines
 * the plugin types and "null"), then the default PCM is overridden. `pcm` is the body of pcm.!default.
 */
export function writeAlsaConfig(dir: string, pcm: string): string {
  const file = path.join(dir, 'asoundrc');
  writeFileSync(file, `</usr/share/alsa/alsa.conf>\npcm.!default {\n${pcm}\n}\n`);
  return file;
}

/** A default PCM that records what is played, as raw s16le, into `file`; `null` is the (clockless) sink. */
export function fileDevice(file: string): string {
  return `  type file\n  slave.pcm "null"\n  file "${file}"\n  format "raw"`;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

/** Runs the child with a scenario and extra environment; resolves with its last JSON line. */
export function runChild(
  child: string,
  scenario: Record<string, unknown>,
  env: Record<string, string>,
  options: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [child, JSON.stringify(scenario)], {
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    let stdout = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // left empty: the assertion shows stdout and stderr
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
}

/** The paced "sound card" (test/support/paced/fifo.py), or a reason why it cannot run here. */
export async function startPacedDevice(
  dir: string,
): Promise<{ fifo: string; out: string; stop: () => Promise<void> } | string> {
  if (spawnSync('python3', ['-c', 'import fcntl, select'], { stdio: 'ignore' }).status !== 0)
    return 'python3 is not installed';
  const fifo = path.join(dir, 'device.fifo');
  const out = path.join(dir, 'played.raw');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return 'mkfifo failed';
  const proc = spawn(
    'python3',
    [path.join(import.meta.dirname, '..', '..', 'support', 'paced', 'fifo.py'), fifo, out, String(24_000 * 2)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = await new Promise<boolean>((resolve) => {
    proc.stdout!.once('data', () => resolve(true));
    proc.once('close', () => resolve(false));
  });
  if (!ready) return 'the paced device did not start (F_SETPIPE_SZ unsupported?)';
  const closed = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  return {
    fifo,
    out,
    stop: async () => {
      proc.kill('SIGTERM');
      await closed;
    },
  };
}

/** s16le bytes → samples. */
export function s16le(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/**
 * Locates `expected` in what a device recorded: the device may add leading silence and trailing padding,
 * nothing else. Returns the offset of the first non-zero sample and whether everything matches exactly.
 */
export function findSignal(
  recorded: Int16Array,
  expected: Int16Array,
): { offset: number; mismatches: number; trailingNonZero: number } {
  const offset = recorded.findIndex((x) => x !== 0);
  if (offset < 0) return { offset, mismatches: expected.length, trailingNonZero: 0 };
  let mismatches = 0;
  for (let i = 0; i < expected.length; i++) if (recorded[offset + i] !== expected[i]) mismatches++;
  let trailingNonZero = 0;
  for (let i = offset + expected.length; i < recorded.length; i++) if (recorded[i] !== 0) trailingNonZero++;
  return { offset, mismatches, trailingNonZero };
}
