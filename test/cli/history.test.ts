// `q3tts history`'s arguments and its one-line listing (the command against a daemon: test/core/history/).
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { describeEntry, historyArgs, speakAgain } from '../../src/cli/history.js';
import type { HistoryEntry } from '../../src/shared/history.js';

describe('q3tts history arguments', () => {
  it.each([
    [['history'], { sub: 'list' }],
    [['history', 'list', '--json'], { sub: 'list' }],
    [['history', 'play', '3'], { sub: 'play', entry: 3 }],
    [['history', 'save', '3', 'a.mp3'], { sub: 'save', entry: 3, file: 'a.mp3' }],
    [['history', 'speak', '12'], { sub: 'speak', entry: 12 }],
    [['history', 'clear'], { sub: 'clear' }],
    [['history', 'clear', '7'], { sub: 'clear', entry: 7 }],
  ])('%j', (argv, expected) => {
    expect(historyArgs(parseArgs(argv))).toEqual(expected);
  });

  it.each([
    [['history', 'replay', '3'], /unknown history command 'replay'/],
    [['history', 'play'], /needs an entry number/],
    [['history', 'play', 'x'], /needs an entry number.*got 'x'/],
    [['history', 'play', '0'], /needs an entry number/],
    [['history', 'save', '3'], /needs the entry number and a file/],
    [['history', 'save', '3', 'a.xyz'], /a\.xyz/],
    [['history', 'clear', '1', '2'], /too many arguments/],
    [['history', 'list', '1'], /takes no arguments/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

const entry: HistoryEntry = {
  n: 4,
  text: 'First line\nsecond\tline \u001b[31m and an escape',
  instruct: 'a calm, low voice',
  language: 'English',
  speaker: null,
  voice: null,
  seed: 9,
  rate: 1.5,
  volume: 80,
  at: '2026-12-03T12:00:00.000Z',
  duration_s: 3.25,
  job: 17,
  source: 'window',
  audio: false,
};

describe('the listing', () => {
  it('is one line per entry, with its number, duration, voice and a flat excerpt', () => {
    const line = describeEntry(entry);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^4\t.+\t3\.3 s \(audio gone\)\t\[a calm, low voice\] First line second line \[31m and/);
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(line.replace(/\t/g, '')).not.toMatch(/[\u0000-\u001f]/);
    expect(describeEntry({ ...entry, text: 'x'.repeat(200) }).length).toBeLessThan(140);
  });

  it('speak again sends the same text in the same voice, seed, rate and volume', () => {
    expect(speakAgain(entry, { interrupt: false, wait: true })).toEqual({
      action: 'generate',
      text: entry.text,
      language: 'English',
      instruct: 'a calm, low voice',
      speaker: null,
      seed: 9,
      rate: 1.5,
      volume: 80,
      source: 'cli',
    });
  });

  it('speaks a saved voice again by its name (a cloned voice exists only there)', () => {
    expect(speakAgain({ ...entry, voice: 'Alice' }, { interrupt: false, wait: true })).toMatchObject({
      voice: 'Alice',
      instruct: 'a calm, low voice',
    });
  });
});
