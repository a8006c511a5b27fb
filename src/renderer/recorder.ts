// Records a reference clip from the microphone (MediaRecorder), telling its caller the elapsed time and the
// input level as it goes, and stops by itself at the limit. The bytes are whatever the recorder makes
// (WebM/Opus in Chromium); clip.ts turns them into the WAV the daemon gets.

export interface Recording {
  /** Stops early; the promise from startRecording resolves with what was recorded. */
  stop(): void;
}

export interface RecordingEvents {
  /** About ten times a second: seconds recorded and the input level, 0–1 (RMS, scaled so speech fills it). */
  onTick(seconds: number, level: number): void;
}

/**
 * Asks for the microphone and records until stop() or maxSeconds. Resolves `started` once recording runs
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
  analyser.fftSize = 1024;
  meter.createMediaStreamSource(stream).connect(analyser);
  const frame = new Float32Array(analyser.fftSize);
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));

  const startedAt = performance.now();
  const tick = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    analyser.getFloatTimeDomainData(frame);
    let sum = 0;
    for (const s of frame) sum += s * s;
    events.onTick(Math.min(seconds, maxSeconds), Math.min(1, Math.sqrt(sum / frame.length) * 4));
    if (seconds >= maxSeconds) stop();
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
