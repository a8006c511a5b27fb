// Linux fallback: pipe s16le PCM into the desktop's own player (PipeWire, PulseAudio or ALSA tools).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { floatToInt16, int16Bytes } from './pcm.js';
import { AudioDeviceError, type AudioFormat, type AudioSink } from './sink.js';

export function pipeCommands(format: AudioFormat): Array<{ cmd: string; args: string[] }> {
  const rate = String(format.sampleRate);
  const ch = String(format.channels);
  return [
    {
      cmd: 'pw-cat',
      args: ['--playback', '--format=s16', `--rate=${rate}`, `--channels=${ch}`, '--latency=50ms', '-'],
    },
    { cmd: 'paplay', args: ['--raw', '--format=s16le', `--rate=${rate}`, `--channels=${ch}`, '--latency-msec=50'] },
    { cmd: 'aplay', args: ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', rate, '-c', ch] },
  ];
}

export function findOnPath(cmd: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, cmd);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** The first player found on PATH, in order of preference. */
export function pipeTool(envPath = process.env.PATH ?? ''): string | undefined {
  return pipeCommands({ sampleRate: 24000, channels: 1 }).find((c) => findOnPath(c.cmd, envPath))?.cmd;
}

export class PipeSink implements AudioSink {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private stopped = false;
  private stderr = '';

  constructor(private readonly only?: string) {}

  async open(format: AudioFormat): Promise<void> {
    this.stopped = false;
    const found = pipeCommands(format).find((c) => (!this.only || c.cmd === this.only) && findOnPath(c.cmd));
    if (!found) throw new AudioDeviceError(`none of ${this.only ?? 'pw-cat, paplay, aplay'} is installed`);
    const child = spawn(found.cmd, found.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-2000)));
    child.stdin!.on('error', () => undefined); // EPIPE when the player dies: reported by drain()
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new AudioDeviceError(`${found.cmd} cannot start: ${err.message}`)));
    });
  }

  async write(pcm: Float32Array): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.stopped || stdin.destroyed) return;
    if (stdin.write(int16Bytes(floatToInt16(pcm)))) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.once('drain', done);
      stdin.once('close', done);
    });
  }

  async drain(): Promise<void> {
    if (!this.child || this.stopped) return;
    this.child.stdin!.end();
    const code = await this.exited;
    if (code !== 0 && !this.stopped)
      throw new AudioDeviceError(
        `${this.child.spawnfile} failed: ${this.stderr.trim().split('\n').pop() ?? `exit ${code}`}`,
      );
  }

  /** Killing the player is the only way to drop what it has buffered; SIGKILL so it cannot linger. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.child?.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.child && this.child.exitCode === null && !this.stopped) this.stop();
    await this.exited;
  }
}
