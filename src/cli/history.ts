// `q3tts history`: the daemon's last 50 utterances (docs/protocol.md, "History"). One line per entry; play, save,
// speak again and clear by the entry's number, as the list shows it.
import type { DaemonConnection } from '../core/client.js';
import type { AnswerOf, RequestOf } from '../shared/actions.js';
import { speakAgainRequest, type HistoryEntry } from '../shared/history.js';
import type { ErrorAnswer } from '../shared/protocol.js';
import type { CliOptions, HistoryCommand } from './args.js';

export interface HistoryIo {
  /** Prints an answer (JSON or the text) and returns the exit code, as every other command does. */
  report<A extends { status: 'ok' }>(answer: A | ErrorAnswer, describe: (a: A) => string): number;
}

/** The history command's sub-command and entry number (validated by args.ts). */
export function historyArgs(opts: CliOptions): { sub: HistoryCommand; entry?: number; file?: string } {
  const [sub = 'list', n, file] = opts.args;
  return {
    sub: sub as HistoryCommand,
    ...(n === undefined ? {} : { entry: Number(n) }),
    ...(file === undefined ? {} : { file }),
  };
}

export async function runHistory(opts: CliOptions, connection: DaemonConnection, io: HistoryIo): Promise<number> {
  const { sub, entry, file } = historyArgs(opts);
  switch (sub) {
    case 'list': {
      const answer = await connection.request({ action: 'history' });
      return io.report(answer, (a) =>
        !a.enabled
          ? 'the history is off (Q3TTS_HISTORY=off): nothing is recorded'
          : a.entries.length
            ? a.entries.map(describeEntry).join('\n')
            : 'history empty',
      );
    }
    case 'play': {
      const answer = await connection.request({
        action: 'history_replay',
        entry: entry!,
        ...(opts.interrupt ? { interrupt: true } : {}),
        ...(opts.wait ? {} : { wait: false }),
      });
      return io.report(answer, (a) => (opts.quiet || !a.queued ? '' : `queued (job ${a.job}, position ${a.position})`));
    }
    case 'save': {
      const answer = await connection.request({
        action: 'history_save',
        entry: entry!,
        output: file!,
        cwd: process.cwd(),
      });
      return io.report(answer, (a) => (opts.quiet ? '' : `saved ${a.output}`));
    }
    case 'speak': {
      const listed = await connection.request({ action: 'history' });
      const found = listed.status === 'ok' ? listed.entries.find((e) => e.n === entry) : undefined;
      if (!found)
        return io.report(
          listed.status === 'error'
            ? listed
            : { status: 'error', code: 'E_NOT_FOUND', message: `there is no history entry ${entry}` },
          () => '',
        );
      const answer: AnswerOf<'generate'> = await connection.request(speakAgain(found, opts));
      return io.report(answer, () => '');
    }
    case 'clear': {
      const answer = await connection.request({ action: 'history_clear', ...(entry === undefined ? {} : { entry }) });
      return io.report(answer, (a) => (opts.quiet ? '' : `cleared ${a.cleared}`));
    }
  }
}

/** The same text in the same voice, generated anew (the entry's audio may be gone). */
export function speakAgain(e: HistoryEntry, opts: Pick<CliOptions, 'interrupt' | 'wait'>): RequestOf<'generate'> {
  return {
    ...speakAgainRequest(e, 'cli'),
    ...(opts.interrupt ? { interrupt: true } : {}),
    ...(opts.wait ? {} : { wait: false }),
  };
}

/** "12  14:03  3.2 s  [a calm voice]  Hello there…": one line, whatever the text holds. */
export function describeEntry(e: HistoryEntry): string {
  const time = new Date(e.at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
  const voice = e.instruct ? `[${excerpt(e.instruct, 30)}] ` : e.speaker ? `[${e.speaker}] ` : '';
  const gone = e.audio ? '' : ' (audio gone)';
  return `${e.n}\t${time}\t${e.duration_s.toFixed(1)} s${gone}\t${voice}${excerpt(e.text, 70)}`;
}

function excerpt(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is flattened
  const flat = text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
