// Starts the built `q3tts serve` as users run it and waits until it is listening.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const cliPath = path.resolve(import.meta.dirname, '../../out/cli/q3tts.mjs');

export interface Served {
  child: ChildProcess;
  /** Lines the daemon printed on stdout ("model loaded", "listening on …"). */
  stdout: string[];
  /** Everything it logged on stderr so far. */
  log(): string;
}

export function startServe(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout.push(...d.split('\n').filter(Boolean));
      if (stdout.some((l) => l.startsWith('listening on'))) resolve({ child, stdout, log: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`q3tts serve exited with ${code}: ${stderr}`)));
  });
}

/** Resolves when the child has exited (at once if it already has: a killed child has a signalCode, no exitCode). */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c)),
  );
