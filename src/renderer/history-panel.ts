// The History tab: the daemon's last 50 utterances (text excerpt, voice, time, duration), each with Replay,
// Save…, Speak again and Remove, and Clear all. Listed again when the tab opens and when speech has finished.
import type { AppStatus, BridgeError, Q3ttsBridge } from '../shared/bridge.js';
import type { HistoryEntry } from '../shared/history.js';
import { entryDetails, excerpt } from './history-view.js';
import { $ } from './dom.js';

export interface HistoryPanel {
  refresh(): Promise<void>;
  setStatus(status: AppStatus): void;
  /** The tab is shown (or hidden): listings are refreshed only while it is visible. */
  setVisible(visible: boolean): void;
}

export function mountHistory(deps: { bridge: Q3ttsBridge }): HistoryPanel {
  const { bridge } = deps;
  const list = $<HTMLUListElement>('history-list');
  const empty = $<HTMLParagraphElement>('history-empty');
  const errorEl = $<HTMLParagraphElement>('history-error');
  const statusEl = $<HTMLParagraphElement>('history-status');
  const clearAll = $<HTMLButtonElement>('history-clear');
  let visible = false;
  let lastState: AppStatus['state'] | null = null;
  let confirmClear = false;

  const showError = (error: BridgeError | null) => {
    errorEl.hidden = error === null;
    errorEl.textContent = error?.message ?? '';
  };

  function item(e: HistoryEntry): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.entry = String(e.n);
    const body = document.createElement('div');
    body.className = 'history-body';
    const text = document.createElement('p');
    text.className = 'history-text';
    text.textContent = excerpt(e.text);
    text.title = e.text;
    const details = document.createElement('p');
    details.className = 'hint';
    details.textContent = entryDetails(e);
    body.append(text, details);
    const actions = document.createElement('div');
    actions.className = 'history-actions';
    const label = excerpt(e.text, 40);
    const button = (name: string, aria: string, run: () => Promise<void>, disabled = false) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = name;
      b.setAttribute('aria-label', `${aria}: ${label}`);
      b.disabled = disabled;
      b.addEventListener('click', () => void act(b, run));
      return b;
    };
    const gone = e.audio ? '' : ' (its audio is no longer kept: Speak again makes it anew)';
    const replay = button(
      'Replay',
      'Replay',
      async () => {
        const r = await bridge.replayHistory({ entry: e.n });
        if (!r.ok) return showError(r);
        statusEl.textContent = 'Replayed.';
      },
      !e.audio,
    );
    replay.title = e.audio ? 'Play it again as it was heard' : `Replay${gone}`;
    const save = button(
      'Save…',
      'Save as a file',
      async () => {
        const r = await bridge.saveHistory({ entry: e.n });
        if (!r.ok) return showError(r);
        if (r.path) statusEl.textContent = `Saved ${r.path}`;
      },
      !e.audio,
    );
    const again = button('Speak again', 'Speak again', async () => {
      const r = await bridge.speakHistory({ entry: e.n });
      if (!r.ok && r.code !== 'E_CANCELLED') return showError(r);
      statusEl.textContent = r.ok ? 'Spoken again.' : 'Stopped.';
      await refresh();
    });
    const remove = button('Remove', 'Remove from the history', async () => {
      const r = await bridge.clearHistory({ entry: e.n });
      if (!r.ok) return showError(r);
      await refresh();
    });
    remove.className = 'quiet';
    actions.append(replay, save, again, remove);
    li.append(body, actions);
    return li;
  }

  /** Runs one entry action with its button disabled meanwhile; errors show under the list. */
  async function act(b: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    showError(null);
    statusEl.textContent = '';
    b.disabled = true;
    try {
      await run();
    } finally {
      b.disabled = false;
    }
  }

  async function refresh(): Promise<void> {
    const r = await bridge.listHistory();
    if (!r.ok) {
      showError(r);
      return;
    }
    list.replaceChildren(...r.entries.map(item));
    empty.hidden = r.entries.length > 0;
    empty.textContent = r.enabled
      ? 'Nothing spoken yet. What you speak (here, with the shortcut or q3tts) is listed here.'
      : 'The history is off (Q3TTS_HISTORY=off): nothing is recorded.';
    clearAll.disabled = r.entries.length === 0;
  }

  clearAll.addEventListener('click', () => {
    // Two clicks: everything said is forgotten, audio included.
    if (!confirmClear) {
      confirmClear = true;
      clearAll.dataset.confirm = 'true';
      clearAll.textContent = 'Clear all: sure?';
      return;
    }
    confirmClear = false;
    delete clearAll.dataset.confirm;
    clearAll.textContent = 'Clear all';
    void act(clearAll, async () => {
      const r = await bridge.clearHistory({});
      if (!r.ok) return showError(r);
      statusEl.textContent = `Cleared ${r.cleared}.`;
      await refresh();
    });
  });

  return {
    refresh,
    setStatus(status) {
      // Speech finished (ours or anyone's): a new entry may be there.
      if (visible && lastState === 'speaking' && status.state === 'ready') void refresh();
      lastState = status.state;
    },
    setVisible(next) {
      if (next && !visible) void refresh();
      visible = next;
    },
  };
}
