// What rate/volume and the file encoders cost per second of audio (BENCHMARKS.md, "Audio shaping and
// encoding"). Run: npm run bench:audio
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encoderFor } from '../src/core/audio/encode.js';
import { SpeechShaper } from '../src/core/audio/stretch.js';
import { AUDIO_FORMATS } from '../src/shared/audio-formats.js';

const RATE = 24000;
const SECONDS = 60;
const CHUNK = 1920; // what the engine hands over: one 80 ms frame
// A voiced, slowly varying signal (a tone with vibrato and a swell), closer to speech than a flat tone.
const audio = Float32Array.from(
  { length: RATE * SECONDS },
  (_, i) => 0.4 * Math.sin((2 * Math.PI * (180 + 20 * Math.sin(i / 4000)) * i) / RATE) * (1 + 0.4 * Math.sin(i / 2500)),
);

const rows: string[] = [];
for (const rate of [0.5, 1, 1.5, 2]) {
  const shaper = await SpeechShaper.create(RATE, rate, 0.8);
  const start = performance.now();
  for (let i = 0; i < audio.length; i += CHUNK) shaper.process(audio.subarray(i, i + CHUNK));
  shaper.finish();
  rows.push(
    `| rate ${rate}, volume 80 % (Sonic${rate === 1 ? ' not used: gain only' : ''}) | ${((performance.now() - start) / SECONDS).toFixed(2)} ms |`,
  );
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-bench-audio-'));
try {
  for (const format of AUDIO_FORMATS) {
    const start = performance.now();
    const encoding = await encoderFor(format).start(RATE, path.join(dir, `bench.${format}`));
    for (let i = 0; i < audio.length; i += CHUNK) await encoding.write(audio.subarray(i, i + CHUNK));
    await encoding.end();
    rows.push(
      `| encode ${format} to a file (${format === 'wav' ? 'our writer' : 'ffmpeg child, start-up included'}) | ${((performance.now() - start) / SECONDS).toFixed(2)} ms |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  `| ${SECONDS} s of 24 kHz audio in 80 ms chunks | per second of audio |\n|---|---|\n${rows.join('\n')}\n`,
);
