// The history of spoken utterances, kept by the daemon so that it survives restarts and every front end sees
// the same one (decision 0024). Layout, in the cache directory:
//   history/index.json      the last 50 entries (text, voice, time, duration, job, source), 0600, written atomically
//   history/audio/<n>.wav   their audio (24 kHz 16-bit WAV, 0600), under a size cap: the oldest audio goes first
// Recording never fails the speech: a full disk, a read-only cache or any other error is logged and the entry is
// kept without its audio (or not written at all). Off (Q3TTS_HISTORY=off) means nothing is written.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sweepOnce, tempPathFor, writeFileAtomic } from '../atomic-file.js';
import { floatToInt16, int16Bytes } from '../audio/pcm.js';
import { wavHeader } from '../audio/wav-header.js';
import { errorMessage } from '../../shared/errors.js';
import { HISTORY_DEFAULT_MB, HISTORY_MAX_ENTRIES, type HistoryEntry } from '../../shared/history.js';
import { SPEECH_SOURCES } from '../../shared/sources.js';
import { cacheDir } from '../../shared/paths.js';
import { currentPathEnv } from '../paths.js';

export interface HistoryOptions {
  /** The history directory (index.json and audio/ inside). */
  dir: string;
  /** false: nothing is recorded or written (privacy). */
  enabled: boolean;
  /** The most audio kept, in bytes. */
  capBytes: number;
  maxEntries?: number;
  log: (message: string) => void;
}

/** What is known of an utterance when it starts: its entry but for what only the end tells, and its audio's rate. */
export type UtteranceInfo = Omit<HistoryEntry, 'n' | 'at' | 'duration_s' | 'audio'> & { sampleRate: number };

/** One utterance being recorded: fed its audio as it is made, then finished (kept) or aborted (dropped). */
export interface HistoryRecording {
  write(samples: Float32Array): void;
  /** Adds the entry (with its audio when it could be kept). Never throws. */
  finish(): Promise<void>;
  /** Drops it (the speech failed or was cancelled). Never throws. */
  abort(): Promise<void>;
}

const StoredEntry = z.object({
  n: z.number().int().min(1),
  text: z.string(),
  instruct: z.string().nullable(),
  language: z.string(),
  speaker: z.string().nullable(),
  voice: z.string().nullable().default(null),
  seed: z.number().int().nullable(),
  rate: z.number(),
  volume: z.number(),
  at: z.string(),
  duration_s: z.number(),
  job: z.number().int(),
  source: z.enum(SPEECH_SOURCES).nullable(),
  /** Bytes of its WAV file; null once the audio is gone. */
  audio_bytes: z.number().int().nullable(),
});
type Stored = z.infer<typeof StoredEntry>;
const IndexFile = z.object({ version: z.literal(1), next: z.number().int().min(1), entries: z.array(StoredEntry) });

/** The history as configured by the environment: Q3TTS_HISTORY=off, Q3TTS_HISTORY_MB, Q3TTS_CACHE_DIR. */
export function historyOptionsFromEnv(
  log: (message: string) => void,
  env: Record<string, string | undefined> = process.env,
): HistoryOptions {
  const off = /^(off|0|false|no)$/i.test((env.Q3TTS_HISTORY ?? '').trim());
  let mb = HISTORY_DEFAULT_MB;
  if (env.Q3TTS_HISTORY_MB !== undefined && env.Q3TTS_HISTORY_MB !== '') {
    const value = Number(env.Q3TTS_HISTORY_MB);
    if (Number.isFinite(value) && value >= 0) mb = value;
    else log(`Q3TTS_HISTORY_MB='${env.Q3TTS_HISTORY_MB}' is not a number of megabytes; using ${HISTORY_DEFAULT_MB}`);
  }
  return {
    dir: path.join(cacheDir(currentPathEnv(env)), 'history'),
    enabled: !off,
    capBytes: Math.round(mb * 1024 * 1024),
    log,
  };
}

export class HistoryStore {
  private entries: Stored[] = [];
  private next = 1;
  private loaded = false;
  /** Index writes, one after another (the last one written is the newest state). */
  private saving: Promise<void> = Promise.resolve();
  private readonly maxEntries: number;

  constructor(private readonly options: HistoryOptions) {
    this.maxEntries = options.maxEntries ?? HISTORY_MAX_ENTRIES;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  get dir(): string {
    return this.options.dir;
  }

  private get indexFile(): string {
    return path.join(this.options.dir, 'index.json');
  }

  private get audioDir(): string {
    return path.join(this.options.dir, 'audio');
  }

  /** Newest first. */
  list(): HistoryEntry[] {
    this.load();
    return [...this.entries].reverse().map(publicEntry);
  }

  get(n: number): HistoryEntry | undefined {
    this.load();
    const entry = this.entries.find((e) => e.n === n);
    return entry && publicEntry(entry);
  }

  /** The WAV file of entry n, when its audio is still kept. */
  audioFile(n: number): string | undefined {
    this.load();
    const entry = this.entries.find((e) => e.n === n);
    return entry && entry.audio_bytes !== null ? this.wavOf(n) : undefined;
  }

  /** Starts recording an utterance; undefined when the history is off. */
  begin(info: UtteranceInfo): HistoryRecording | undefined {
    if (!this.options.enabled) return undefined;
    this.load();
    const n = this.next++;
    return new Recorder(this, n, info, this.options.capBytes);
  }

  /** Removes one entry (with its audio), or all of them; returns how many. Works with the history off too. */
  async clear(n?: number): Promise<number> {
    this.load();
    if (n === undefined) {
      const count = this.entries.length;
      this.entries = [];
      // Everything goes, the directory included: nothing of what was said stays on disk.
      await this.saving;
      await rm(this.options.dir, { recursive: true, force: true });
      return count;
    }
    const entry = this.entries.find((e) => e.n === n);
    if (!entry) return 0;
    this.entries = this.entries.filter((e) => e !== entry);
    await rm(this.wavOf(n), { force: true });
    await this.save();
    return 1;
  }

  /** Called by a finished recording: adds its entry, keeps 50 and the audio cap, writes the index. */
  async add(entry: Stored): Promise<void> {
    this.entries.push(entry);
    this.entries.sort((a, b) => a.n - b.n);
    while (this.entries.length > this.maxEntries) {
      const old = this.entries.shift()!;
      if (old.audio_bytes !== null) await rm(this.wavOf(old.n), { force: true }).catch(() => undefined);
    }
    let total = this.entries.reduce((sum, e) => sum + (e.audio_bytes ?? 0), 0);
    for (const old of this.entries) {
      if (total <= this.options.capBytes) break;
      if (old.audio_bytes === null) continue;
      total -= old.audio_bytes;
      old.audio_bytes = null; // the entry stays: replay says its audio is gone, "speak again" regenerates it
      await rm(this.wavOf(old.n), { force: true }).catch(() => undefined);
    }
    await this.save();
  }

  /** The audio directory, made (0700) on first use. */
  prepareAudioDir(): string {
    makePrivateDir(this.options.dir);
    makePrivateDir(this.audioDir);
    sweepOnce(this.audioDir);
    return this.audioDir;
  }

  wavOf(n: number): string {
    return path.join(this.audioDir, `${n}.wav`);
  }

  log(message: string): void {
    this.options.log(message);
  }

  private save(): Promise<void> {
    const data = `${JSON.stringify({ version: 1, next: this.next, entries: this.entries }, null, 1)}\n`;
    this.saving = this.saving.then(async () => {
      try {
        makePrivateDir(this.options.dir);
        await writeFileAtomic(this.indexFile, data, 0o600);
      } catch (err) {
        this.log(`history: could not write ${this.indexFile}: ${errorMessage(err)} (speech is not affected)`);
      }
    });
    return this.saving;
  }

  /** Reads the index once. A corrupt one is set aside (index.json.corrupt-<time>) with a warning; never fatal. */
  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.options.enabled) return; // off: not even read (clear still removes the directory)
    let text: string;
    try {
      text = readFileSync(this.indexFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(`history: cannot read ${this.indexFile}: ${errorMessage(err)}; starting empty`);
      return;
    }
    let parsed: z.infer<typeof IndexFile>;
    try {
      parsed = IndexFile.parse(JSON.parse(text));
    } catch (err) {
      const aside = `${this.indexFile}.corrupt-${Date.now()}`;
      try {
        renameSync(this.indexFile, aside);
        this.log(
          `history: ${this.indexFile} is not a valid history index (${firstLine(err)}); moved it to ${aside} and started empty`,
        );
      } catch (moveErr) {
        this.log(`history: ${this.indexFile} is corrupt and could not be moved aside: ${errorMessage(moveErr)}`);
      }
      this.removeStrayAudio();
      return;
    }
    this.entries = parsed.entries.sort((a, b) => a.n - b.n).slice(-this.maxEntries);
    this.next = Math.max(parsed.next, ...this.entries.map((e) => e.n + 1));
    // An entry whose audio file has gone (removed by hand, a cache cleaner) says so instead of failing on replay.
    for (const e of this.entries) {
      if (e.audio_bytes === null) continue;
      try {
        statSync(this.wavOf(e.n));
      } catch {
        e.audio_bytes = null;
      }
    }
    this.removeStrayAudio();
  }

  /** Audio files no entry refers to (after a corrupt index, a crash between writes) would escape the cap. */
  private removeStrayAudio(): void {
    let names: string[];
    try {
      names = readdirSync(this.audioDir);
    } catch {
      return;
    }
    const kept = new Set(this.entries.filter((e) => e.audio_bytes !== null).map((e) => `${e.n}.wav`));
    for (const name of names) {
      if (/^\d+\.wav$/.test(name) && !kept.has(name)) rmSync(path.join(this.audioDir, name), { force: true });
    }
  }
}

/** Streams one utterance's audio into a hidden temp WAV, renamed to <n>.wav when it is finished. */
class Recorder implements HistoryRecording {
  private readonly at = new Date();
  private samples = 0;
  private bytes = 0;
  private temp: string | undefined;
  private handle: Promise<FileHandle | undefined> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Why the audio is not kept (a write failed, it outgrew the cap); the entry is still added. */
  private failed: string | undefined;
  private done = false;

  constructor(
    private readonly store: HistoryStore,
    private readonly n: number,
    private readonly info: UtteranceInfo,
    private readonly capBytes: number,
  ) {}

  write(samples: Float32Array): void {
    if (this.done) return;
    this.samples += samples.length;
    if (this.failed) return;
    const data = int16Bytes(floatToInt16(samples));
    if (44 + this.bytes + data.length > this.capBytes) {
      this.fail(`it is larger than the history's audio cap (${Math.round(this.capBytes / 1024 / 1024)} MB)`);
      return;
    }
    const at = 44 + this.bytes;
    this.bytes += data.length;
    const handle = this.open();
    this.writing = this.writing.then(async () => {
      const h = await handle;
      if (!h || this.failed) return;
      try {
        await h.write(data, 0, data.length, at);
      } catch (err) {
        this.fail(errorMessage(err));
      }
    });
  }

  async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    let audioBytes: number | null = null;
    try {
      await this.writing;
      const h = await this.handle;
      if (h && !this.failed) {
        try {
          await h.write(wavHeader(this.info.sampleRate, 1, this.bytes), 0, 44, 0);
          await h.close();
          await rename(this.temp!, this.store.wavOf(this.n));
          audioBytes = 44 + this.bytes;
        } catch (err) {
          this.fail(errorMessage(err));
        }
      }
      await this.discard();
      if (this.failed) this.store.log(`history: the audio of entry ${this.n} is not kept: ${this.failed}`);
      const { sampleRate, ...info } = this.info;
      await this.store.add({
        n: this.n,
        ...info,
        at: this.at.toISOString(),
        duration_s: Math.round((this.samples / sampleRate) * 1000) / 1000,
        audio_bytes: audioBytes,
      });
    } catch (err) {
      this.store.log(`history: entry ${this.n} could not be recorded: ${errorMessage(err)}`);
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.failed ??= 'aborted';
    await this.writing.catch(() => undefined);
    await this.discard();
  }

  private open(): Promise<FileHandle | undefined> {
    this.handle ??= (async () => {
      try {
        const dir = this.store.prepareAudioDir();
        this.temp = tempPathFor(path.join(dir, `${this.n}.wav`));
        const h = await open(this.temp, 'wx', 0o600);
        await h.write(wavHeader(this.info.sampleRate, 1, 0), 0, 44, 0);
        return h;
      } catch (err) {
        this.fail(errorMessage(err));
        return undefined;
      }
    })();
    return this.handle;
  }

  private fail(why: string): void {
    this.failed ??= why;
  }

  /** Closes and removes the temp file, if any is left (after a failure, or once it was renamed: a no-op). */
  private async discard(): Promise<void> {
    const h = await this.handle;
    await h?.close().catch(() => undefined);
    if (this.temp) await rm(this.temp, { force: true }).catch(() => undefined);
  }
}

function publicEntry(e: Stored): HistoryEntry {
  const { audio_bytes, ...rest } = e;
  return { ...rest, audio: audio_bytes !== null };
}

/** A directory only its owner can enter: made 0700, or tightened to 0700 when it was already there. */
function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function firstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0]!.slice(0, 200);
}
