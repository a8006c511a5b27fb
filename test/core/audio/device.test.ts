import { describe, expect, it } from 'vitest';
import { chooseDevice, type OutputDevice } from '../../../src/core/audio/naudiodon-sink.js';

const devices: OutputDevice[] = [
  { id: 0, name: 'HDA Intel PCH: ALC3246 Analog (hw:0,0)', hostApi: 'ALSA' },
  { id: 3, name: 'USB Headset: Audio (hw:1,0)', hostApi: 'ALSA' },
  { id: 7, name: 'pulse', hostApi: 'ALSA' },
  { id: 8, name: 'default', hostApi: 'ALSA' },
];

describe('chooseDevice', () => {
  it.each([
    [null, -1],
    ['', -1],
    ['default', 8],
    ['DEFAULT', 8],
    ['usb headset', 3],
    ['ALC3246', 0],
    ['pulse', 7],
  ])('%j → %i', (wanted, id) => {
    expect(chooseDevice(devices, wanted)).toBe(id);
  });

  it('an unknown name lists the devices there are', () => {
    expect(() => chooseDevice(devices, 'Bluetooth')).toThrow(
      /no output device named 'Bluetooth' \(there are: 'HDA Intel.*'default'\)/,
    );
  });

  it('an ambiguous name says which devices it matches', () => {
    expect(() => chooseDevice(devices, 'hw:')).toThrow(/matches several output devices/);
  });
});
