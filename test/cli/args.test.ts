import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';

describe('parseArgs', () => {
  it.each([
    [['Hello', 'world'], { command: 'speak', args: ['Hello', 'world'] }],
    [['-o', 'out.wav', 'Hi'], { command: 'speak', args: ['Hi'], output: 'out.wav' }],
    [['--output=out.wav', 'Hi'], { output: 'out.wav' }],
    [['serve'], { command: 'serve', args: [] }],
    [['stop'], { command: 'stop' }],
    [['status', '--json'], { command: 'status', json: true }],
    [['cancel'], { command: 'cancel' }],
    [['pause'], { command: 'pause' }],
    [['resume'], { command: 'resume' }],
    [['reload', 'model'], { command: 'reload', reloadModel: true }],
    [['--instruct', 'a calm voice', '-l', 'English', 'Hi'], { instruct: 'a calm voice', language: 'English', args: ['Hi'] }],
    [['--seed', '42', '--top-k', '10', '--top-p', '0.8', '--temperature', '0.7', 'x'], { seed: 42, topK: 10, topP: 0.8, temperature: 0.7 }],
    [['--greedy', '--no-wait', '--interrupt', 'x'], { greedy: true, wait: false, interrupt: true }],
    [['--', '--not-an-option', 'stop'], { command: 'speak', args: ['--not-an-option', 'stop'] }],
    [['say', 'stop'], { command: 'speak', args: ['say', 'stop'] }],
    [['-'], { command: 'speak', args: ['-'] }],
    [['-5', 'degrees'], { args: ['-5', 'degrees'] }],
    [['--clipboard', '--primary'], { clipboard: true, primary: true, args: [] }],
    [['decode', 'codes.json', '-o', 'a.wav'], { command: 'decode', args: ['codes.json'], output: 'a.wav' }],
    [['help', 'serve'], { help: true, command: 'serve' }],
    [['stop', '--help'], { help: true, command: 'stop' }],
    [['--version'], { version: true }],
    [['--codes-out', 'c.json', 'x'], { codesOut: 'c.json' }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toMatchObject(expected);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['-o'], /needs a value/],
    [['--seed', 'abc', 'x'], /whole number/],
    [['--seed', '1.5', 'x'], /whole number/],
    [['--seed', '-1', 'x'], /between/],
    [['--top-p', '1.5', 'x'], /top-p/],
    [['--temperature', '0', 'x'], /temperature/],
    [['status', 'extra'], /takes no arguments/],
    [['decode'], /exactly one/],
    [['--clipboard', 'text'], /not both/],
    [['--greedy=yes', 'x'], /takes no value/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
