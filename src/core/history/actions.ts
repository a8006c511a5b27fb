// The history actions (docs/protocol.md, "History"): list, replay, save, clear. Answered by the daemon's shell,
// like the model manager, so they work whether or not a model is loaded or the handlers are broken. A replay
// is a job in the speech queue like any utterance: it waits its turn, pauses, and is cancelled the same way.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { AnswerOf, TypedAction } from '../../shared/actions.js';
import { formatForFile } from '../../shared/audio-formats.js';
import { errorMessage } from '../../shared/errors.js';
import { HISTORY_REQUEST_SCHEMAS } from '../../shared/history.js';
import { errorAnswer, type Answer, type ErrorCode, type Request } from '../../shared/protocol.js';
import { parseRequest } from '../../shared/requests.js';
import { notReplaceable } from '../atomic-file.js';
import { abortError } from '../engine/errors.js';
import { playInto } from '../audio/play.js';
import type { AudioSink } from '../audio/sink.js';
import type { SpeechQueue } from '../daemon/queue.js';
import type { HistoryStore } from './store.js';

export interface HistoryActionsDeps {
  store: HistoryStore;
  queue: SpeechQueue;
  openPlayback(): Promise<AudioSink>;
  openFile(path: string): Promise<AudioSink>;
  /** Resolves at once, or when the daemon is resumed (or the signal aborts). */
  unpaused(signal: AbortSignal): Promise<void>;
}

type HistoryAction = 'history' | 'history_replay' | 'history_save' | 'history_clear';

/** Half a second of 16-bit mono at 24 kHz: how much of a WAV is read and played at a time. */
const CHUNK_BYTES = 24_000;

export async function historyAction(deps: HistoryActionsDeps, request: Request): Promise<Answer> {
  const action = request.action as HistoryAction;
  const parsed = parseRequest(HISTORY_REQUEST_SCHEMAS[action] as (typeof HISTORY_REQUEST_SCHEMAS)['history'], request);
  if (!parsed.ok) return errorAnswer(parsed.code, parsed.message, request.id);
  const ids = request.id === undefined ? {} : { id: request.id };
  const { store } = deps;
  switch (action) {
    case 'history':
      return {
        status: 'ok',
        ...ids,
        enabled: store.enabled,
        entries: store.list(),
      } satisfies Exclude<AnswerOf<'history'>, { status: 'error' }>;
    case 'history_clear': {
      const entry = request.entry as number | undefined;
      const cleared = await store.clear(entry);
      return { status: 'ok', ...ids, cleared } satisfies Exclude<AnswerOf<'history_clear'>, { status: 'error' }>;
    }
    case 'history_replay':
      return replay(deps, request as Request & { entry: number; interrupt?: boolean; wait?: boolean });
    case 'history_save':
      return save(deps, request as Request & { entry: number; output: string; cwd?: string | null });
  }
}

/** The entry's WAV, or the answer that says why there is none. */
function audioOf(
  store: HistoryStore,
  n: number,
  id: Request['id'],
): { file: string; text: string } | ReturnType<typeof errorAnswer> {
  if (!store.enabled) return errorAnswer('E_NOT_FOUND', 'the history is off (Q3TTS_HISTORY=off)', id);
  const entry = store.get(n);
  if (!entry) return errorAnswer('E_NOT_FOUND', `there is no history entry ${n} (q3tts history lists them)`, id);
  const file = store.audioFile(n);
  if (!file)
    return errorAnswer(
      'E_NOT_FOUND',
      `the audio of history entry ${n} is no longer kept (the oldest audio goes first when the history's audio cap is reached); speak it again instead`,
      id,
    );
  return { file, text: entry.text };
}

async function replay(
  deps: HistoryActionsDeps,
  request: Request & { entry: number; interrupt?: boolean; wait?: boolean },
): Promise<AnswerOf<TypedAction>> {
  const ids = request.id === undefined ? {} : { id: request.id };
  const found = audioOf(deps.store, request.entry, request.id);
  if ('status' in found) return found;
  const flat = found.text.replace(/\s+/g, ' ');
  const summary = `replay ${request.entry}: ${flat.length > 48 ? `${flat.slice(0, 45)}...` : flat}`;
  const ticket = deps.queue.enqueue(
    {
      requestId: request.id,
      summary,
      run: async (signal, lane) => {
        lane.generated(); // no engine needed: the next request may be generated while this plays
        await lane.turn;
        if (signal.aborted) throw abortError();
        await playWav(deps, found.file, signal);
      },
    },
    { interrupt: request.interrupt === true },
  );
  if (request.wait === false) {
    ticket.done.catch(() => undefined); // reported by the queue and the daemon's log, not to a gone client
    return { status: 'ok', ...ids, queued: true, job: ticket.job, position: ticket.position };
  }
  try {
    await ticket.done;
    return { status: 'ok', ...ids, entry: request.entry };
  } catch (err) {
    return errorAnswer(codeOf(err), codeOf(err) === 'E_CANCELLED' ? 'cancelled' : errorMessage(err), request.id);
  }
}

async function save(
  deps: HistoryActionsDeps,
  request: Request & { entry: number; output: string; cwd?: string | null },
): Promise<AnswerOf<TypedAction>> {
  const found = audioOf(deps.store, request.entry, request.id);
  if ('status' in found) return found;
  const target = resolveOutput(request.output, request.cwd ?? null);
  if ('error' in target) return errorAnswer(target.code, target.error, request.id);
  let sink: AudioSink | undefined;
  try {
    sink = await deps.openFile(target.path);
    await copyWav(found.file, sink);
  } catch (err) {
    sink?.stop();
    await sink?.close().catch(() => undefined);
    return errorAnswer(codeOf(err), errorMessage(err), request.id);
  }
  return { status: 'ok', ...(request.id === undefined ? {} : { id: request.id }), output: target.path };
}

/** Plays a history WAV through the speakers: a pause holds it, a cancel silences it at once. */
async function playWav(deps: HistoryActionsDeps, file: string, signal: AbortSignal): Promise<void> {
  const sink = await deps.openPlayback();
  await playInto(sink, signal, deps.unpaused, (write) =>
    forEachChunk(file, async (samples, sampleRate) => {
      if (sampleRate) await sink.open({ sampleRate, channels: 1 });
      await write(samples);
    }),
  );
}

async function copyWav(file: string, sink: AudioSink): Promise<void> {
  await forEachChunk(file, async (samples, sampleRate) => {
    if (sampleRate) await sink.open({ sampleRate, channels: 1 });
    await sink.write(samples);
  });
  await sink.close();
}

/**
 * Reads a history WAV (written by store.ts: a 44-byte header, then 16-bit mono) in chunks as float samples.
 * The first call carries the sample rate (for opening the sink); later ones 0.
 */
async function forEachChunk(
  file: string,
  each: (samples: Float32Array, sampleRate: number) => Promise<void>,
): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(44);
    await handle.read(header, 0, 44, 0);
    if (header.toString('ascii', 0, 4) !== 'RIFF' || header.toString('ascii', 36, 40) !== 'data')
      throw new Error(`${file} is not a history WAV file`);
    const sampleRate = header.readUInt32LE(24);
    const end = 44 + header.readUInt32LE(40);
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let first = true;
    for (let at = 44; at < end || first;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, Math.max(0, end - at)), at);
      const samples = new Float32Array(bytesRead >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buffer.readInt16LE(i * 2) / 32767;
      await each(samples, first ? sampleRate : 0);
      first = false;
      if (bytesRead === 0) break;
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** A save target made absolute against the client's directory; its extension picks the format, as for -o. */
function resolveOutput(file: string, cwd: string | null): { path: string } | { error: string; code: ErrorCode } {
  if (file.includes('\0') || cwd?.includes('\0'))
    return { code: 'E_INVALID', error: 'output contains a NUL character' };
  const chosen = formatForFile(file);
  if ('error' in chosen) return { code: 'E_INVALID', error: `output '${file}': ${chosen.error}` };
  let absolute: string;
  if (path.isAbsolute(file)) absolute = file;
  else if (cwd && path.isAbsolute(cwd)) absolute = path.resolve(cwd, file);
  else
    return { code: 'E_INVALID', error: `output '${file}' is relative: send an absolute path, or the client's "cwd"` };
  const why = notReplaceable(absolute);
  if (why) return { code: 'E_OUTPUT', error: `cannot write ${absolute}: ${why}` };
  return { path: absolute };
}

function codeOf(err: unknown): ErrorCode {
  const e = err as { name?: string; code?: unknown };
  if (e?.name === 'AbortError') return 'E_CANCELLED';
  if (e?.name === 'AudioDeviceError') return 'E_AUDIO_DEVICE';
  if (e?.name === 'OutputFileError' || e?.name === 'EncoderError' || e?.code === 'ENOSPC') return 'E_OUTPUT';
  return 'E_INTERNAL';
}
