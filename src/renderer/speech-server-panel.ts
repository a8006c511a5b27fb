// The "Use a speech server" section's own controls: the notes under the URL, and the token, which is stored
// and cleared at once through its own bridge methods (never part of the settings, never shown back).
// The URL and the failover choice are settings fields: the Settings panel reads, fills and saves them.
import type { Q3ttsBridge } from '../shared/bridge.js';
import { errorMessage } from '../shared/errors.js';
import { $ } from './dom.js';
import { speechServerNotes, tokenLine } from './speech-server-view.js';

export interface SpeechServerPanel {
  /** Redraws the notes from the URL and failover choice as typed. */
  render(): void;
  /** Stores a token typed but not yet stored (Save stores it first, so the restarted engine has it). */
  storeTyped(): Promise<void>;
}

export function mountSpeechServer(bridge: Q3ttsBridge): SpeechServerPanel {
  const url = $<HTMLInputElement>('set-speechServer');
  const failover = $<HTMLInputElement>('set-speechServerFailover');
  const note = $<HTMLParagraphElement>('speech-server-note');
  const token = $<HTMLInputElement>('set-serverToken');
  const store = $<HTMLButtonElement>('server-token-store');
  const clear = $<HTMLButtonElement>('server-token-clear');
  const line = $<HTMLParagraphElement>('server-token-line');
  let stored = false;
  let busy = false;

  const render = () => {
    note.textContent = speechServerNotes(url.value, failover.checked).join(' ');
    store.disabled = busy || token.value.trim() === '';
    clear.disabled = busy || !stored;
  };

  const send = async (value: string | null) => {
    busy = true;
    render();
    try {
      const answer = await bridge.setServerToken({ token: value });
      if (answer.ok) {
        stored = answer.stored;
        token.value = ''; // the secret leaves the page once it is stored
        line.textContent = `${value === null ? 'Token cleared.' : 'Token stored.'} ${tokenLine(stored)}`;
      } else line.textContent = `Not stored: ${answer.message}`;
    } catch (err) {
      line.textContent = `Not stored: ${errorMessage(err)}`;
    } finally {
      busy = false;
      render();
    }
  };

  token.addEventListener('input', render);
  token.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter stores the token, it does not save the other settings
    if (!store.disabled) void send(token.value);
  });
  store.addEventListener('click', () => void send(token.value));
  clear.addEventListener('click', () => void send(null));
  void bridge.getServerToken().then((answer) => {
    stored = answer.stored;
    line.textContent = tokenLine(stored);
    render();
  });
  return {
    render,
    storeTyped: async () => {
      if (token.value.trim() !== '' && !busy) await send(token.value);
    },
  };
}
