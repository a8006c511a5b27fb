// One utterance's audio into a sink, the same way for speech and for a replay: a cancel silences it at once,
// a pause holds it where asked, and a failure stops and closes the sink (a file output leaves nothing partial).
import { abortError } from '../engine/errors.js';
import type { AudioSink } from './sink.js';

export async function playInto(
  sink: AudioSink,
  signal: AbortSignal,
  /** Resolves when playback may go on (a daemon pause); null when nothing holds this output. */
  hold: ((signal: AbortSignal) => Promise<void>) | null,
  /** Opens the sink and writes the audio through `write`. */
  produce: (write: (samples: Float32Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const silence = () => sink.stop();
  signal.addEventListener('abort', silence, { once: true });
  try {
    await produce(async (samples) => {
      if (hold) await hold(signal);
      if (!signal.aborted) await sink.write(samples);
    });
    if (signal.aborted) throw abortError();
    await sink.drain();
    await sink.close();
  } catch (err) {
    sink.stop();
    await sink.close().catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', silence);
  }
}
