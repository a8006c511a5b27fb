// A reference clip for cloning, made in the window: whatever the user recorded or picked (any format
// Chromium decodes, any rate, any channels) becomes 24 kHz mono 16-bit WAV here, with Web Audio, so the
// daemon reads it in-process and never needs ffmpeg for the window's clips. Clips outside 1–10 s are
// refused before anything is sent: the Base model's codec encoder takes at most 10 s.

export const CLONE_RATE = 24_000;
export const MIN_CLIP_SECONDS = 1;
export const MAX_CLIP_SECONDS = 10;
/** A larger file cannot be a 10 s clip in any usual format: refused before it is read into memory. */
export const MAX_CLIP_FILE_BYTES = 64 * 1024 * 1024;
/** Peak below this (−60 dBFS): nothing was heard (a muted microphone, a silent file). */
const SILENCE_PEAK = 0.001;

export interface Clip {
  /** The WAV file's bytes: 24 kHz, mono, 16-bit PCM. */
  wav: Uint8Array<ArrayBuffer>;
  /** Its samples, for the preview. */
  samples: Float32Array<ArrayBuffer>;
  seconds: number;
}

/** Why a clip of this length cannot be cloned, or null when it can. */
export function clipLengthProblem(seconds: number): string | null {
  if (seconds < MIN_CLIP_SECONDS)
    return `The clip is ${seconds.toFixed(1)} s long: a voice needs at least ${MIN_CLIP_SECONDS} s of speech (3–10 s is best).`;
  if (seconds > MAX_CLIP_SECONDS)
    return `The clip is ${seconds.toFixed(1)} s long: at most ${MAX_CLIP_SECONDS} s can be cloned. Record again, or trim the file.`;
  return null;
}

/**
 * Decodes audio file bytes and makes the clip: resampled to 24 kHz (decodeAudioData into a 24 kHz context)
 * and mixed down to mono (an OfflineAudioContext render: stereo → (L + R) / 2). trimTo cuts a recording
 * that ran a moment past its limit. Throws an Error whose message is for the user.
 */
export async function makeClip(bytes: ArrayBuffer, options: { trimTo?: number } = {}): Promise<Clip> {
  if (bytes.byteLength === 0) throw new Error('The file is empty.');
  const decoder = new OfflineAudioContext(1, 1, CLONE_RATE);
  let decoded: AudioBuffer;
  try {
    decoded = await decoder.decodeAudioData(bytes);
  } catch {
    throw new Error('This is not audio the window can read: pick a WAV, MP3, OGG, FLAC or WebM file.');
  }
  const frames = Math.min(
    decoded.length,
    options.trimTo === undefined ? decoded.length : Math.round(options.trimTo * CLONE_RATE),
  );
  const problem = clipLengthProblem(frames / CLONE_RATE);
  if (problem) throw new Error(problem);
  const mixer = new OfflineAudioContext(1, frames, CLONE_RATE);
  const source = mixer.createBufferSource();
  source.buffer = decoded;
  source.connect(mixer.destination); // "speakers" down-mixing: mono = the average of the channels
  source.start();
  const samples = (await mixer.startRendering()).getChannelData(0);
  if (peak(samples) < SILENCE_PEAK)
    throw new Error('The clip is silent: check the microphone (or the file) and try again.');
  return { wav: encodeWav(samples, CLONE_RATE), samples, seconds: frames / CLONE_RATE };
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

/** A mono 16-bit PCM WAV file of these samples (clamped to [−1, 1]). */
export function encodeWav(samples: Float32Array, rate: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => {
    const clamped = Math.max(-1, Math.min(1, s));
    view.setInt16(44 + i * 2, Math.round(clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff), true);
  });
  return bytes;
}
