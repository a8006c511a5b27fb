import { describe, expect, it } from 'vitest';
import { editDistance, nearestCommand, parseArgs, UsageError, withFlagNames } from '../../src/cli/args.js';
import { helpHint } from '../../src/cli/help.js';

describe('parseArgs', () => {
  it.each([
    [['Hello', 'world'], { command: 'speak', args: ['Hello', 'world'] }],
    [['-o', 'out.wav', 'Hi'], { command: 'speak', args: ['Hi'], output: 'out.wav' }],
    [['--output=out.wav', 'Hi'], { output: 'out.wav' }],
    [['serve'], { command: 'serve', args: [] }],
    [
      ['serve', '--http', '8880', '--wyoming', '127.0.0.1:10200'],
      { command: 'serve', http: '8880', wyoming: '127.0.0.1:10200' },
    ],
    [['serve', '--http=[::1]:8880'], { command: 'serve', http: '[::1]:8880' }],
    [['http', 'token'], { command: 'http', args: ['token'] }],
    [['stop'], { command: 'stop' }],
    [['status', '--json'], { command: 'status', json: true }],
    [['cancel'], { command: 'cancel' }],
    [['cancel', '12'], { command: 'cancel', args: ['12'] }],
    [['-r', '1.5', '--volume', '40', 'x'], { rate: 1.5, volume: 40 }],
    [['-f', 'notes.md'], { file: 'notes.md', args: [] }],
    [['pause'], { command: 'pause' }],
    [['resume'], { command: 'resume' }],
    [['reload', 'model'], { command: 'reload', reloadModel: true }],
    [
      ['--instruct', 'a calm voice', '-l', 'English', 'Hi'],
      { instruct: 'a calm voice', language: 'English', args: ['Hi'] },
    ],
    [
      ['--seed', '42', '--top-k', '10', '--top-p', '0.8', '--temperature', '0.7', 'x'],
      { seed: 42, topK: 10, topP: 0.8, temperature: 0.7 },
    ],
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
    [['--', 'stop'], { command: 'speak', args: ['stop'] }],
    [['--', 'stop', 'extra'], { command: 'speak', args: ['stop', 'extra'] }],
    [['reload'], { command: 'reload', reloadModel: false }],
    [['help'], { help: true, command: 'speak' }],
    [['help', 'speak'], { help: true, command: 'speak' }],
    [['help', 'models'], { help: true, command: 'models' }],
    [['models', '--help'], { help: true, command: 'models' }],
    [['models', 'pull', '-h'], { help: true, command: 'models' }],
    [['models', 'help'], { help: true, command: 'models' }],
    [['models', 'frobnicate', '--help'], { help: true, command: 'models' }],
    [['help', 'models', 'pull'], { help: true, command: 'models', subcommand: 'pull' }],
    [['models'], { command: 'models', subcommand: 'list', args: [] }],
    [['models', 'list', '--json'], { command: 'models', subcommand: 'list', json: true }],
    [['--json', '-q', 'models', 'list'], { command: 'models', subcommand: 'list', json: true, quiet: true }],
    [
      ['models', 'pull', '--precision', 'fp32', 'NAME'],
      { command: 'models', subcommand: 'pull', precision: 'fp32', args: ['NAME'] },
    ],
    [['models', 'pull', 'NAME', '--precision=int4'], { subcommand: 'pull', precision: 'int4', args: ['NAME'] }],
    [['models', 'verify'], { subcommand: 'verify', args: [] }],
    [['models', 'verify', 'NAME'], { subcommand: 'verify', args: ['NAME'] }],
    [['models', 'remove', 'NAME', '--precision', 'FP32'], { subcommand: 'remove', precision: 'fp32' }],
    [
      ['models', 'use', 'NAME', '--socket', '/run/q.sock'],
      { subcommand: 'use', args: ['NAME'], socket: '/run/q.sock' },
    ],
    [
      ['serve', '--provider', 'webgpu', '--precision', 'fp32', '--engine', 'tone'],
      { command: 'serve', provider: 'webgpu', precision: 'fp32', engine: 'tone' },
    ],
    [['--provider', 'CUDA', 'Hi'], { command: 'speak', provider: 'cuda', args: ['Hi'] }],
    [['models', '--version'], { version: true }],
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
    [['--clipboard', 'hello'], /not both/],
    [['--greedy=yes', 'x'], /takes no value/],
    [['help', 'bogus'], /no help on 'bogus'/],
    [['models', 'list', '--bogus'], /^unknown option '--bogus'$/],
    [['--bogus', 'models', 'list'], /^unknown option '--bogus'$/],
    [['models', 'pull', 'NAME', '--seed', '1'], /option '--seed' does not apply to 'q3tts models'/],
    [['models', 'frobnicate'], /unknown models command 'frobnicate' \(list, pull, verify, remove or use\)/],
    [['models', 'pull'], /'models pull' needs one model name/],
    [['models', 'use', 'a', 'b'], /'models use' needs one model name/],
    [['models', 'list', 'extra'], /too many arguments for 'models list'/],
    [['models', 'verify', 'a', 'b'], /too many arguments for 'models verify'/],
    [['models', 'pull', 'NAME', '--precision'], /option '--precision' needs a value/],
    [['models', 'pull', 'NAME', '--precision', 'fp16'], /unknown precision 'fp16' for --precision \(int4 or fp32\)/],
    [
      ['serve', '--provider', 'tpu'],
      /unknown execution provider 'tpu' for --provider \(auto, cpu, cuda, dml, coreml or webgpu\)/,
    ],
    [['serve', '--http', 'localhost'], /--http: 'localhost' is not \[HOST:\]PORT/],
    [['serve', '--http', '127.0.0.1:99999'], /--http: port 99999 is out of range/],
    [['serve', '--wyoming', 'example.com:10200'], /--wyoming: 'example.com' is not an IP address/],
    [['status', '--http', '8880'], /--http opens a door of the daemon: use it with 'q3tts serve'/],
    [['http'], /'http' takes one word: 'q3tts http token'/],
    [['http', 'open'], /'http' takes one word/],
    [['serve', '--engine', 'piper'], /unknown engine 'piper' for --engine \(qwen3, tone or remote\)/],
    [['-o', 'x.mp4', 'Hi'], /-o x\.mp4: cannot write '\.mp4' files \(\.wav, \.mp3, \.ogg, \.opus, \.flac/],
    [['-o', 'notes.TXT', 'Hi'], /cannot write '\.txt' files/],
    [['--raw', '-o', 'a.wav', 'Hi'], /--raw or -o, not both/],
    [['--raw', '--no-wait', 'Hi'], /--raw streams the audio until the end/],
    [['-o', '-', '--no-wait', 'Hi'], /-o - streams the audio until the end/],
    [['decode', 'c.json', '--raw'], /'decode' writes a file/],
    [['--raw', '--json', 'Hi'], /--json would mix text into it/],
    [['cancel', 'two'], /'cancel' takes one job number/],
    [['cancel', '1', '2'], /'cancel' takes one job number/],
    [['--rate', '2.5', 'x'], /--rate must be between 0.5 and 2/],
    [['--volume', '-1', 'x'], /--volume must be between 0 and 100/],
    [['-f', 'a.md', 'hello'], /one of them/],
    [['stauts'], /'stauts' is not a command; did you mean 'q3tts status'\? \(to say the word: q3tts -- stauts\)/],
    [['Stop.'], /not a command; did you mean 'q3tts stop'/],
    [['modles'], /did you mean 'q3tts models'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  const usageError = (argv: string[]): UsageError => {
    try {
      parseArgs(argv);
    } catch (e) {
      if (e instanceof UsageError) return e;
      throw e;
    }
    throw new Error(`${JSON.stringify(argv)} parsed`);
  };

  it('an unknown option reads the same in both command families, each pointing at its own help', () => {
    for (const bad of ['--bogus', '--bogus=1', '-x']) {
      const speech = usageError(['status', bad]);
      const models = usageError(['models', 'list', bad]);
      expect(models.message).toBe(speech.message);
      expect(helpHint(speech.command)).toBe(`Try 'q3tts help status'.`);
      expect(helpHint(models.command)).toBe(`Try 'q3tts help models'.`);
    }
  });
});

describe('output choices', () => {
  it.each([
    [['-o', 'a.mp3', 'Hi'], { output: 'a.mp3', raw: false }],
    [['-o', 'dir.v2/a.OGG', 'Hi'], { output: 'dir.v2/a.OGG' }],
    [['-o', 'noextension', 'Hi'], { output: 'noextension' }],
    [['-o', '-', 'Hi'], { output: '-' }],
    [['--raw', 'Hi'], { raw: true }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toMatchObject(expected);
  });
});

describe('a mistyped command', () => {
  it('is one edit away: a letter added, dropped, changed, or two neighbours swapped', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('stats', 'status')).toBe(1);
    expect(editDistance('pasue', 'pause')).toBe(1);
    expect(editDistance('hello', 'help')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('gets a hint only when it is a single word near exactly one command; text is spoken as before', () => {
    expect(nearestCommand('stauts')).toBe('status');
    expect(nearestCommand('voice')).toBe('voices');
    expect(nearestCommand('Hello')).toBeUndefined();
    expect(nearestCommand('stp')).toBeUndefined(); // too short to guess at
    expect(parseArgs(['Hello'])).toMatchObject({ command: 'speak', args: ['Hello'] });
    expect(parseArgs(['stauts', 'report', 'ready'])).toMatchObject({
      command: 'speak',
      args: ['stauts', 'report', 'ready'],
    });
    expect(parseArgs(['--', 'stauts'])).toMatchObject({ command: 'speak', args: ['stauts'] });
  });
});

describe("the daemon's validation messages name the flag the user typed", () => {
  it.each([
    [
      "field 'max_new_tokens': Too big: expected number to be <=8192",
      '--max-frames: Too big: expected number to be <=8192',
    ],
    [
      "field 'top_k': Too small; field 'repetition_penalty': Too big",
      '--top-k: Too small; --repetition-penalty: Too big',
    ],
    ["output 'x.txt': cannot write '.txt' files", "--output 'x.txt': cannot write '.txt' files"],
    ["unknown language 'Klingon'", "unknown language 'Klingon'"],
    ["field 'whatever': odd", "field 'whatever': odd"],
  ])('%s', (daemon, cli) => {
    expect(withFlagNames(daemon)).toBe(cli);
  });
});
