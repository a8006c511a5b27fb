// The window's History tab, over the daemon's history actions (docs/protocol.md, "History"): list, replay, save,
// speak again, clear. The daemon keeps the history (decision 0024); this only forwards and words the answers.
import type { BridgeError, BridgeResult, RunStats } from '../../shared/bridge.js';
import { speakAgainRequest, type HistoryEntry } from '../../shared/history.js';
import type { Answer } from '../../shared/protocol.js';
import type { SpeechService } from './speech.js';
import { errorMessage } from '../../shared/errors.js';

export class WindowHistory {
  constructor(private readonly speech: () => SpeechService | null) {}

  async list(): Promise<BridgeResult<{ enabled: boolean; entries: HistoryEntry[] }>> {
    return this.ask({ action: 'history' }, (a) => ({
      enabled: a.enabled === true,
      entries: Array.isArray(a.entries) ? (a.entries as HistoryEntry[]) : [],
    }));
  }

  async replay(entry: number): Promise<BridgeResult<object>> {
    return this.ask({ action: 'history_replay', entry }, () => ({}));
  }

  /** Writes the entry's audio to `path` (the extension picks the format); null: the user cancelled the dialog. */
  async save(entry: number, path: string | null): Promise<BridgeResult<{ path: string | null }>> {
    if (path === null) return { ok: true, path: null };
    return this.ask({ action: 'history_save', entry, output: path }, () => ({ path }));
  }

  async speakAgain(entry: number): Promise<BridgeResult<{ stats: RunStats | null; warning: string | null }>> {
    const listed = await this.list();
    if (!listed.ok) return listed;
    const found = listed.entries.find((e) => e.n === entry);
    if (!found) return { ok: false, code: 'E_NOT_FOUND', message: `History entry ${entry} is gone.` };
    return this.ask(speakAgainRequest(found, 'window'), (a) => ({
      stats:
        typeof a.ttfa_ms === 'number' && typeof a.rtf === 'number'
          ? { timeToFirstAudioMs: a.ttfa_ms, realTimeFactor: a.rtf, audioSeconds: Number(a.audio_seconds ?? 0) }
          : null,
      warning: typeof a.warning === 'string' ? a.warning : null,
    }));
  }

  async clear(entry?: number): Promise<BridgeResult<{ cleared: number }>> {
    return this.ask({ action: 'history_clear', ...(entry === undefined ? {} : { entry }) }, (a) => ({
      cleared: Number(a.cleared ?? 0),
    }));
  }

  /** One request to the daemon; its error answer (or no daemon) as a BridgeError. */
  private async ask<T extends object>(
    request: { action: string; [field: string]: unknown },
    fields: (answer: Record<string, unknown>) => T,
  ): Promise<BridgeResult<T>> {
    const service = this.speech();
    if (!service) return unavailable;
    let answer: Answer;
    try {
      answer = await service.request(request);
    } catch (err) {
      return { ok: false, code: 'E_DAEMON_GONE', message: errorMessage(err) };
    }
    if (answer.status === 'error') return { ok: false, code: answer.code, message: answer.message };
    return { ok: true, ...fields(answer) };
  }
}

const unavailable: BridgeError = { ok: false, code: 'E_ENGINE', message: 'The q3tts daemon is not running.' };
