// vLLM-Omni's `ref_audio` (task_type "Base"): the reference clip inline, as a base64 data: URL
// ("data:audio/wav;base64,…"), or, as a q3tts extension, bare base64. vLLM-Omni also fetches http(s) URLs; this
// door does not: fetching a URL a caller names would let anyone who may speak make the daemon reach hosts on the
// user's network (decision 0033). The clip is decoded by src/core/audio/reference.ts like any other.
import { decodeBase64Audio } from '../../voices/clone-actions.js';

/** The clip's bytes, or an Error whose message says which forms are accepted. */
export function refAudioBytes(refAudio: string): Uint8Array {
  const value = refAudio.trim();
  if (/^https?:\/\//i.test(value))
    throw new Error(
      `'ref_audio' as a URL is not fetched by this server: send the clip itself, as a base64 data: URL ("data:audio/wav;base64,…")`,
    );
  if (/^data:/i.test(value)) {
    const comma = value.indexOf(',');
    const meta = comma < 0 ? '' : value.slice(5, comma);
    if (comma < 0 || !/;base64$/i.test(meta))
      throw new Error(`'ref_audio' must be a base64 data: URL ("data:audio/wav;base64,…")`);
    return decodeBase64Audio(value.slice(comma + 1));
  }
  return decodeBase64Audio(value);
}
