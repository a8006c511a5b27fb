// Draws the tray icons (assets/tray/*.png): a coloured disc per state with three sound bars, and a
// black template for macOS. Generated rather than drawn by hand so they stay consistent; run once.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const out = path.resolve(import.meta.dirname, '../assets/tray');
mkdirSync(out, { recursive: true });

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage (0..1) of the pixel by the disc, and whether it is inside one of the bars. 4x4 supersampling. */
function shape(size, x, y) {
  let disc = 0;
  let bar = 0;
  const r = size / 2 - 0.5;
  const bars = [
    [-0.28, 0.22],
    [0, 0.42],
    [0.28, 0.3],
  ];
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = (x + (sx + 0.5) / 4 - size / 2) / (size / 2);
      const py = (y + (sy + 0.5) / 4 - size / 2) / (size / 2);
      if (px * px + py * py > (r / (size / 2)) ** 2) continue;
      disc++;
      if (bars.some(([cx, h]) => Math.abs(px - cx) < 0.085 && Math.abs(py) < h)) bar++;
    }
  }
  return { disc: disc / 16, bar: bar / 16 };
}

const STATES = {
  ready: [31, 138, 90],
  loading: [214, 150, 20],
  speaking: [58, 91, 217],
  error: [200, 45, 35],
  'no-model': [120, 128, 140],
};
for (const [state, [r, g, b]] of Object.entries(STATES)) {
  for (const [size, suffix] of [
    [32, ''],
    [64, '@2x'],
  ]) {
    const image = png(size, (x, y) => {
      const { disc, bar } = shape(size, x, y);
      const mix = disc ? bar / disc : 0;
      return [
        Math.round(r + (255 - r) * mix),
        Math.round(g + (255 - g) * mix),
        Math.round(b + (255 - b) * mix),
        Math.round(255 * disc),
      ];
    });
    writeFileSync(path.join(out, `tray-${state}${suffix}.png`), image);
  }
}
// macOS template: black where ink is, the bars cut out (the menu bar tints it).
for (const [size, suffix] of [
  [16, ''],
  [32, '@2x'],
]) {
  writeFileSync(
    path.join(out, `trayTemplate${suffix}.png`),
    png(size, (x, y) => {
      const { disc, bar } = shape(size, x, y);
      return [0, 0, 0, Math.round(255 * Math.max(0, disc - bar))];
    }),
  );
}
console.log('tray icons written to', out);
