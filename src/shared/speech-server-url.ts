// The speech server URL check the settings schema and the window share (no Node: the window bundles it).
// The daemon repeats the protocol check when it starts (core/engine/speech-server/config.ts).

/** Long enough for any real bearer token, short enough that a pasted document is refused. */
export const MAX_SERVER_TOKEN_CHARS = 4096;

export const SPEECH_SERVER_HINT = 'e.g. http://gpu-box:8091 or https://tts.example.org';

/** Why `value` cannot be the speech server's URL, or null when it can. */
export function speechServerUrlProblem(value: string): string | null {
  const text = value.trim();
  if (text === '') return `empty: give the server's address (${SPEECH_SERVER_HINT})`;
  if (text.length > 2048) return 'at most 2048 characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL (${SPEECH_SERVER_HINT})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must start with http:// or https:// (${SPEECH_SERVER_HINT})`;
  if (!url.hostname) return `has no host name (${SPEECH_SERVER_HINT})`;
  // A password in the URL would sit in the settings file and the logs: the token field keeps it apart.
  if (url.username || url.password)
    return 'must not carry a user name or password: put the server’s token in the token field';
  if (url.search || url.hash) return 'must not have a ?query or #fragment: only the server’s address';
  return null;
}
