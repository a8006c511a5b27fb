// SpeechService over the daemon's request/answer protocol. The same adapter serves the in-process
// DaemonCore (host mode) and a socket connection to `q3tts serve` (attached mode): both answer
// `request(req, onEvent)` with protocol answers.
import type {
  AnswerOf,
  OkAnswerOf,
  Requester,
  RequestOf,
  RunFigures,
  Spoken,
  TypedAction,
} from '../../shared/actions.js';
import type { RunStats, SlowNotice, Voices } from '../../shared/bridge.js';
import type { Answer, EventMessage, Request } from '../../shared/protocol.js';
import {
  SpeechError,
  type SpeakCommand,
  type SpeakOutcome,
  type SpeechProgress,
  type SpeechService,
  type SpeechSnapshot,
} from './speech.js';
import { errorMessage } from '../../shared/errors.js';

export interface DaemonClient extends Requester {
  /** Push notification of state changes (the in-process core has it; a socket client does not). */
  onState?(listener: () => void): () => void;
  close(): Promise<void> | void;
}

export interface DaemonSpeechOptions {
  mode: 'host' | 'attached';
  /** Without onState, poll `status` this often to notice changes (attached mode). */
  pollMs?: number;
}

let nextId = 1;

export function daemonSpeechService(client: DaemonClient, options: DaemonSpeechOptions): SpeechService {
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };
  const unsubscribe = client.onState?.(changed);
  let poll: ReturnType<typeof setInterval> | undefined;
  let lastState: string | undefined;
  if (!client.onState) {
    poll = setInterval(() => {
      client.request({ action: 'status' }).then(
        (a) => {
          const key = a.status === 'ok' ? `${a.state}|${a.error ?? ''}` : `error|${a.message}`;
          if (key !== lastState) {
            lastState = key;
            changed();
          }
        },
        () => changed(), // the daemon went away: let the owner find out from snapshot()
      );
    }, options.pollMs ?? 2000);
    poll.unref?.();
  }

  const gone = (err: unknown) =>
    new SpeechError('E_DAEMON_GONE', `the q3tts daemon is not reachable: ${errorMessage(err)}`);
  const send = async (request: Request, onEvent?: (e: EventMessage) => void): Promise<Answer> => {
    try {
      return await client.request({ id: `app-${nextId++}`, ...request }, onEvent);
    } catch (err) {
      throw gone(err);
    }
  };
  /** The action's answer; an error answer throws SpeechError with its code. */
  const call = async <A extends TypedAction>(
    request: RequestOf<A> & { action: A },
    onEvent?: (e: EventMessage) => void,
  ): Promise<OkAnswerOf<A>> => {
    let answer: AnswerOf<A>;
    try {
      answer = await client.request<A>({ id: `app-${nextId++}`, ...request }, onEvent);
    } catch (err) {
      throw gone(err);
    }
    if (answer.status === 'error') throw new SpeechError(answer.code, answer.message);
    return answer;
  };

  return {
    mode: options.mode,
    async speak(command: SpeakCommand, onProgress?: (p: SpeechProgress) => void): Promise<SpeakOutcome> {
      const request: RequestOf<'generate'> = {
        action: 'generate',
        text: command.text,
        language: command.language,
        instruct: command.instruct,
        speaker: command.speaker,
        interrupt: command.interrupt,
        clean: command.clean,
        ...(command.asap ? { start: 'asap' } : {}),
        events: true,
        ...(command.output ? { output: command.output } : {}),
        ...(command.source ? { source: command.source } : {}),
        ...(command.voice ? { voice: command.voice } : {}),
        ...(command.rate !== undefined && command.rate !== 1 ? { rate: command.rate } : {}),
        ...(command.volume !== undefined && command.volume !== 100 ? { volume: command.volume } : {}),
      };
      const answer = await call(request, (e) => {
        if (!onProgress) return;
        if (e.event === 'queued') onProgress({ type: 'queued', position: Number(e.position ?? 0) });
        else if (e.event === 'started') onProgress({ type: 'started' });
        else if (e.event === 'progress') onProgress({ type: 'progress', audioSeconds: Number(e.audio_seconds ?? 0) });
        else if (e.event === 'sentence')
          onProgress({
            type: 'sentence',
            sentence: Number(e.sentence),
            sentences: Number(e.sentences),
            start: Number(e.start),
            end: Number(e.end),
          });
      });
      const spoken: Spoken = answer.queued ? {} : answer; // queued only with "wait": false, which the app never sends
      return { stats: statsOf(spoken), warning: spoken.warning ?? null, output: spoken.output ?? null };
    },
    async stop() {
      const answer = await call({ action: 'cancel' });
      return answer.cancelled;
    },
    async control(action) {
      await call({ action });
      changed(); // paused or not: the state a poll would notice later
    },
    async voices(): Promise<Voices> {
      const a = await call({ action: 'voices' });
      return {
        engine: a.engine,
        model: a.model,
        languages: a.languages,
        speakers: a.speakers,
        supportsInstruct: a.supports_instruct,
      };
    },
    async snapshot(): Promise<SpeechSnapshot> {
      const a = await call({ action: 'status' });
      return {
        state: a.state === 'paused' ? 'speaking' : a.state, // the app has no paused state: held speech is still speech
        engine: a.engine,
        model: a.model,
        error: a.error ?? null,
        last: a.last ? statsOf(a.last) : null,
        doors: a.doors ?? [],
        slow: slowOf(a.speed),
        remote: a.remote ?? null,
        ...(a.state === 'paused' ? { paused: true } : {}),
      };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    request: send,
    async reload({ model }) {
      await call({ action: 'reload', ...(model ? { model: true } : {}) });
      changed();
    },
    async close() {
      if (poll) clearInterval(poll);
      unsubscribe?.();
      listeners.clear();
      await client.close();
    },
  };
}

/** status.speed → a notice, when the daemon measured its model slower than real time. Checked field by field:
 * an attached daemon may be another version. */
export function slowOf(speed: unknown): SlowNotice | null {
  const s = speed as { slow?: unknown; rtf?: unknown; wait_s?: unknown; advice?: unknown } | undefined;
  if (s?.slow !== true || typeof s.rtf !== 'number' || typeof s.advice !== 'string') return null;
  return { rtf: s.rtf, waitSeconds: typeof s.wait_s === 'number' ? s.wait_s : 0, advice: s.advice };
}

function statsOf(a: Partial<RunFigures>): RunStats | null {
  if (a.ttfa_ms === undefined || a.rtf === undefined) return null;
  return { timeToFirstAudioMs: a.ttfa_ms, realTimeFactor: a.rtf, audioSeconds: a.audio_seconds ?? 0 };
}
