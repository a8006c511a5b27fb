// "Use a speech server", the window's side, pure so it is table-tested: what the URL as typed means, what the
// token line says, and what the status line adds while the remote engine speaks (status.remote).
import type { AppStatus } from '../shared/bridge.js';
import { isLoopbackHost } from '../shared/settings-values.js';
import { speechServerUrlProblem } from '../shared/speech-server-url.js';

/** Notes under the speech server field: where speech goes, and what travels in the clear. */
export function speechServerNotes(url: string, failover: boolean): string[] {
  const text = url.trim();
  if (text === '') return ['Empty: the local model speaks.'];
  if (speechServerUrlProblem(text) !== null) return [];
  const notes = [
    failover
      ? 'Text goes to this server to be spoken; while it cannot be reached, the installed local model speaks instead.'
      : 'Text goes to this server to be spoken; while it cannot be reached, speech fails with the reason.',
  ];
  const parsed = new URL(text);
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname.replace(/^\[|\]$/g, '')))
    notes.push(
      'http:// is not encrypted: the text and the token cross the network readable. Use https:// beyond a network you trust.',
    );
  return notes;
}

export const tokenLine = (stored: boolean): string =>
  stored ? 'A token is stored (it is not shown).' : 'No token stored: the server is asked without one.';

/** What the status line adds while the remote engine runs; null with a local engine. */
export function remoteNote(status: Pick<AppStatus, 'remote'>): string | null {
  const remote = status.remote;
  if (!remote) return null;
  if (remote.using === 'local')
    return `speech server ${remote.url} not answering${remote.error ? ` (${remote.error})` : ''}: the local model speaks`;
  if (remote.error) return `speech server ${remote.url} failing (${remote.error})`;
  return `speaking through the speech server ${remote.url}`;
}

/** The Models tab's line while the remote engine runs: the models here are the stand-in, not the voice heard. */
export function modelsRemoteLine(status: Pick<AppStatus, 'remote'> | null): string | null {
  const remote = status?.remote;
  if (!remote) return null;
  const standIn = remote.failover
    ? 'the model in use here stands in while it is away'
    : 'no local model stands in (Settings → Use a speech server)';
  return remote.using === 'local'
    ? `The speech server ${remote.url} is not answering: the model in use here speaks until it is back.`
    : `Speech goes to the speech server ${remote.url}; ${standIn}.`;
}
