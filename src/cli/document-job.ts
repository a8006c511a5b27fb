// A text longer than one request may be (a book chapter, a long web page) spoken as one job: cut at
// paragraphs and sentences (shared/text/split.ts) into requests queued at once, in order, with one progress
// line ("part k of n") and one cancel (Ctrl-C cancels every part). A file output is written here from the
// streamed audio, so the parts make one file.
import path from 'node:path';
import type { AnswerOf, Requester, RequestOf } from '../shared/actions.js';
import type { EventMessage } from '../shared/protocol.js';
import { splitText } from '../shared/text/split.js';

type Generate = RequestOf<'generate'>;

export interface DocumentJob {
  /** Request ids of the parts (what a cancel targets). */
  ids: string[];
  /** One answer for the whole text: the first failure, or ok with the summed figures. */
  done: Promise<AnswerOf<'generate'>>;
}

export interface DocumentOptions {
  maxChars: number;
  idPrefix: string;
  /** Audio events, when the request streams (--raw, -o -). */
  onAudio?: ((event: EventMessage) => void) | undefined;
  /** Told when part k (1-based) of n starts. */
  onPart?: (k: number, n: number) => void;
}

/** True when the text needs more than one request. */
export const needsSplitting = (request: Generate, maxChars: number) => request.text.length > maxChars;

export function speakDocument(requester: Requester, request: Generate, options: DocumentOptions): DocumentJob {
  const parts = splitText(request.text, options.maxChars);
  const ids = parts.map((_, k) => `${options.idPrefix}-${k + 1}`);
  const done = (async (): Promise<AnswerOf<'generate'>> => {
    // A file is written here from the parts' streamed audio; the daemon writes nothing.
    const file = request.output ? path.resolve(request.cwd ?? process.cwd(), request.output) : undefined;
    if (file && request.wait === false)
      return {
        status: 'error',
        code: 'E_INVALID',
        message: `a text this long is saved part by part by q3tts itself: -o cannot be used with --no-wait`,
      };
    const sink = file ? await openFile(file) : undefined;
    let writing = Promise.resolve(); // the file's writes, in order; closed after the last
    const onEvent = (k: number) => (event: EventMessage) => {
      if (event.event === 'started') options.onPart?.(k + 1, parts.length);
      if (event.event !== 'audio') return;
      if (sink && typeof event.pcm === 'string') {
        const samples = int16ToFloat(Buffer.from(event.pcm, 'base64'));
        writing = writing.then(() => sink.write(samples));
      } else options.onAudio?.(event);
    };
    const base: Generate = {
      ...request,
      output: null,
      codes_out: null,
      events: true,
      ...(sink ? { stream: true } : {}),
    };
    const answers = await Promise.all(
      parts.map((text, k) =>
        requester.request({ ...base, text, id: ids[k]! }, onEvent(k)).then((answer) => {
          // The first failure ends the job: the parts behind it are cancelled, not spoken.
          if (answer.status === 'error')
            for (const id of ids.slice(k + 1))
              void requester.request({ action: 'cancel', target: id }).catch(() => undefined);
          return answer;
        }),
      ),
    );
    const failed =
      answers.find((a) => a.status === 'error' && a.code !== 'E_CANCELLED') ??
      answers.find((a) => a.status === 'error');
    if (failed) {
      sink?.stop();
      return failed;
    }
    if (request.wait === false) {
      return Object.assign({}, answers[0]!, { parts: parts.length });
    }
    if (sink) {
      await writing;
      await sink.close();
    }
    const seconds = answers.reduce(
      (n, a) =>
        n + (a.status === 'ok' && 'audio_seconds' in a && typeof a.audio_seconds === 'number' ? a.audio_seconds : 0),
      0,
    );
    const whole: AnswerOf<'generate'> = {
      status: 'ok',
      ...(request.id === undefined ? {} : { id: request.id }),
      audio_seconds: Math.round(seconds * 1000) / 1000,
      ...(file ? { output: file } : {}),
    };
    return Object.assign(whole, { parts: parts.length });
  })();
  return { ids, done };
}

async function openFile(file: string) {
  const { openOutputFile } = await import('../core/audio/output-file.js');
  const sink = openOutputFile(file);
  await sink.open({ sampleRate: 24000, channels: 1 });
  return sink;
}

function int16ToFloat(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2) / 32767;
  return out;
}
