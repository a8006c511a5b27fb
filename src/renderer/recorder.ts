// Records a reference clip from the microphone (MediaRecorder), telling its caller the elapsed time and the
// input level as it goes, and stops by itself at the limit. The bytes are whatever the recorder makes
// (WebM/Opus in Chromium); clip.ts turns them into the WAV the daemon gets.

/** The recorder starts a moment after the clock: it runs this much longer, and the clip is cut to the limit. */
const STOP_MARGIN_S = 0.3;

export interface Recording {
  /** Stops early; the promise from startRecording resolves with what was recorded. */
  stop(): void;
}

export interface RecordingEvents {
  /** About ten times a second: seconds recorded and the input level, 0–1 (RMS, scaled so speech fills it). */
  onTick(seconds: number, level: number): void;
}

/**
 * Asks for the microphone and records until stop() or just past maxSeconds (the caller cuts it to maxSeconds). Resolves `started` once recording runs
 * (rejects when the microphone is refused or missing), then `done` with the recorded file's bytes.
 */
export async function startRecording(
  maxSeconds: number,
  events: RecordingEvents,
): Promise<{ recording: Recording; done: Promise<ArrayBuffer> }> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
  });
  const recorder = new MediaRecorder(stream);
  const meter = new AudioContext();
  const analyser = meter.createAnalyser();
  analyser.fftSize = 4096; // about the 100 ms between ticks: no sound between two looks is missed
  meter.createMediaStreamSource(stream).connect(analyser);
  const frame = new Float32Array(analyser.fftSize);
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));

  const startedAt = performance.now();
  let level = 0;
  const tick = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    analyser.getFloatTimeDomainData(frame);
    let sum = 0;
    for (const s of frame) sum += s * s;
    // Rises at once and falls slowly, so a syllable stays visible for a moment.
    level = Math.max(Math.min(1, Math.sqrt(sum / frame.length) * 4), level * 0.8);
    events.onTick(Math.min(seconds, maxSeconds), level);
    if (seconds >= maxSeconds + STOP_MARGIN_S) stop();
  }, 100);
  function stop(): void {
    clearInterval(tick);
    if (recorder.state !== 'inactive') recorder.stop();
  }

  const done = new Promise<ArrayBuffer>((resolve, reject) => {
    recorder.addEventListener('stop', () => {
      for (const track of stream.getTracks()) track.stop(); // the browser's "recording" indicator goes off
      void meter.close();
      new Blob(chunks, { type: recorder.mimeType }).arrayBuffer().then(resolve, reject);
    });
    recorder.addEventListener('error', () => {
      stop();
      reject(new Error('The recording failed.'));
    });
  });
  recorder.start(250);
  return { recording: { stop }, done };
}
