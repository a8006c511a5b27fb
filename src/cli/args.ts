// Command-line parsing for the whole q3tts command, `q3tts models …` included: one table of options and one
// parser, pure, so every form is table-tested (test/cli/args.test.ts). Why not util.parseArgs: decision 0010.
import { parseListenAddress } from '../core/doors/address.js';
import { errorMessage } from '../shared/errors.js';
import {
  ENGINES,
  EXECUTION_PROVIDERS,
  PRECISIONS,
  oneOf,
  type ExecutionProvider,
  type Precision,
} from '../shared/engine-options.js';
import { formatForFile } from '../shared/audio-formats.js';
import { presetNameProblem } from '../shared/voice-presets.js';

export const COMMANDS = [
  'speak',
  'serve',
  'stop',
  'status',
  'cancel',
  'pause',
  'resume',
  'queue',
  'reload',
  'voices',
  'devices',
  'decode',
  'models',
  'http',
  'speechd',
  'speechd-module',
  'help',
  'history',
  'next',
  'back',
] as const;
export type Command = (typeof COMMANDS)[number];

export const MODELS_COMMANDS = ['list', 'pull', 'verify', 'remove', 'use'] as const;
export type ModelsCommand = (typeof MODELS_COMMANDS)[number];

export const HISTORY_COMMANDS = ['list', 'play', 'save', 'speak', 'clear'] as const;
export type HistoryCommand = (typeof HISTORY_COMMANDS)[number];
/** `q3tts voices list|save|remove|clone|lock`: saved voices (bare `q3tts voices` describes the loaded model). */
export const VOICES_COMMANDS = ['list', 'save', 'remove', 'clone', 'lock'] as const;
export type VoicesCommand = (typeof VOICES_COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** models: which models command (list when none is given). */
  subcommand?: ModelsCommand;
  /** voices: which saved-voices command (none = the model's languages and speakers). */
  voicesCommand?: VoicesCommand;
  /** -v: speak with this saved voice (its description, language, speaker and seed; explicit options win). */
  voice?: string;
  /** voices clone: the reference clip. */
  from?: string;
  /** voices clone: what the clip says (in-context cloning). */
  text?: string;
  /** voices lock: the sentence the design speaks for its reference clip. */
  sentence?: string;
  /** Words of text (speak), the codes file (decode) or the model name (models). */
  args: string[];
  /** A file to write (its extension picks the format), or '-' for a WAV on stdout. */
  output?: string;
  /** Raw 24 kHz s16le mono PCM on stdout, as it is generated. */
  raw: boolean;
  instruct?: string;
  language?: string;
  /** Speaking rate, 0.5–2 (pitch kept). */
  rate?: number;
  /** Volume in percent, 0–100. */
  volume?: number;
  speaker?: string;
  seed?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  maxFrames?: number;
  greedy?: boolean;
  codesOut?: string;
  wait: boolean;
  interrupt: boolean;
  /** Start speaking at the first audio, even if that may pause inside a sentence (request start: "asap"). */
  asap: boolean;
  clipboard: boolean;
  /** -f: read the text from this file ('-' = stdin): plain text, Markdown or HTML. */
  file?: string;
  primary: boolean;
  json: boolean;
  quiet: boolean;
  socket?: string;
  engine?: string;
  model?: string;
  threads?: number;
  provider?: ExecutionProvider;
  precision?: Precision;
  /** serve: open the OpenAI-compatible HTTP door / the Wyoming door on [HOST:]PORT. */
  http?: string;
  wyoming?: string;
  /** serve: speak through this speech server (the remote engine: vLLM-Omni or another q3tts). */
  remote?: string;
  /** reload --model: reload the model too, not only the handlers. */
  reloadModel: boolean;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {
  /** Whose help to point at ('q3tts models --help' or 'q3tts --help'). */
  readonly command: Command | undefined;

  constructor(message: string, command?: Command) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

type Kind = 'string' | 'int' | 'number' | 'flag' | 'negflag' | { choices: readonly string[]; what: string };

interface OptionSpec {
  key: keyof CliOptions;
  kind: Kind;
  /** false: only for the speech commands, not for `q3tts models`. */
  models?: boolean;
}

const speech = (key: keyof CliOptions, kind: Kind): OptionSpec => ({ key, kind, models: false });
const everywhere = (key: keyof CliOptions, kind: Kind): OptionSpec => ({ key, kind });

const OPTIONS: Record<string, OptionSpec> = {
  '-o': speech('output', 'string'),
  '--output': speech('output', 'string'),
  '-i': speech('instruct', 'string'),
  '--instruct': speech('instruct', 'string'),
  '-l': speech('language', 'string'),
  '--language': speech('language', 'string'),
  '--speaker': speech('speaker', 'string'),
  '-v': speech('voice', 'string'),
  '--voice': speech('voice', 'string'),
  '-r': speech('rate', 'number'),
  '--rate': speech('rate', 'number'),
  '--volume': speech('volume', 'number'),
  '--from': speech('from', 'string'),
  '--text': speech('text', 'string'),
  '--sentence': speech('sentence', 'string'),
  '--seed': speech('seed', 'int'),
  '--temperature': speech('temperature', 'number'),
  '--top-k': speech('topK', 'int'),
  '--top-p': speech('topP', 'number'),
  '--repetition-penalty': speech('repetitionPenalty', 'number'),
  '--max-frames': speech('maxFrames', 'int'),
  '--greedy': speech('greedy', 'flag'),
  '--codes-out': speech('codesOut', 'string'),
  '--raw': speech('raw', 'flag'),
  '--no-wait': speech('wait', 'negflag'),
  '--interrupt': speech('interrupt', 'flag'),
  '--asap': speech('asap', 'flag'),
  '--clipboard': speech('clipboard', 'flag'),
  '-f': speech('file', 'string'),
  '--file': speech('file', 'string'),
  '--primary': speech('primary', 'flag'),
  '--engine': speech('engine', { choices: ENGINES, what: 'engine' }),
  '--model': speech('model', 'string'),
  '--threads': speech('threads', 'int'),
  '--provider': speech('provider', { choices: EXECUTION_PROVIDERS, what: 'execution provider' }),
  '--precision': everywhere('precision', { choices: PRECISIONS, what: 'precision' }),
  '--http': speech('http', 'string'),
  '--wyoming': speech('wyoming', 'string'),
  '--remote': speech('remote', 'string'),
  '--json': everywhere('json', 'flag'),
  '-q': everywhere('quiet', 'flag'),
  '--quiet': everywhere('quiet', 'flag'),
  '--socket': everywhere('socket', 'string'),
  '-h': everywhere('help', 'flag'),
  '--help': everywhere('help', 'flag'),
  '-V': everywhere('version', 'flag'),
  '--version': everywhere('version', 'flag'),
};

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    command: 'speak',
    args: [],
    raw: false,
    wait: true,
    interrupt: false,
    asap: false,
    clipboard: false,
    primary: false,
    json: false,
    quiet: false,
    reloadModel: false,
    help: false,
    version: false,
  };
  // Options may come anywhere, before or after the command word, so they are checked against the command at the
  // end; the first problem is kept until then, so its error can point at that command's help.
  const words: string[] = [];
  let wordsBeforeDashes = 0;
  const seen: string[] = [];
  let problem: string | undefined;
  let onlyText = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyText || arg === '-' || !arg.startsWith('-') || /^-\d/.test(arg)) {
      words.push(arg);
      if (!onlyText) wordsBeforeDashes = words.length;
      continue;
    }
    if (arg === '--') {
      onlyText = true;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS[name];
    if (!spec) {
      problem ??= `unknown option '${name}'`;
      continue;
    }
    seen.push(name);
    if (spec.kind === 'flag' || spec.kind === 'negflag') {
      if (eq > 0) problem ??= `option '${name}' takes no value`;
      else (opts as unknown as Record<string, unknown>)[spec.key] = spec.kind === 'flag';
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    const converted =
      value === undefined ? new Problem(`option '${name}' needs a value`) : convert(name, spec.kind, value);
    if (converted instanceof Problem) problem ??= converted.message;
    else (opts as unknown as Record<string, unknown>)[spec.key] = converted;
  }

  // The command word is the first word, unless it came after `--` (then everything is text).
  const first = words[0];
  if (wordsBeforeDashes > 0 && first !== 'speak' && (COMMANDS as readonly string[]).includes(first!)) {
    opts.command = first as Command;
    words.shift();
  }
  if (problem !== undefined) throw new UsageError(problem, opts.command);
  // One word that is a command mistyped (`q3tts stauts`) is far likelier a slip than text to say.
  if (opts.command === 'speak' && words.length === 1 && wordsBeforeDashes === 1 && !opts.help) {
    const near = nearestCommand(words[0]!);
    if (near)
      throw new UsageError(
        `'${words[0]}' is not a command; did you mean 'q3tts ${near}'? (to say the word: q3tts -- ${words[0]})`,
      );
  }
  if (opts.command === 'help') {
    opts.help = true;
    const topic = words.shift() ?? 'speak';
    if (!(COMMANDS as readonly string[]).includes(topic) || topic === 'help')
      throw new UsageError(`no help on '${topic}' (commands: ${COMMANDS.filter((c) => c !== 'help').join(', ')})`);
    opts.command = topic as Command;
  }
  for (const name of seen) {
    if (opts.command === 'models' && OPTIONS[name]!.models === false)
      throw new UsageError(`option '${name}' does not apply to 'q3tts models'`, 'models');
  }
  if (opts.command === 'models') {
    const sub = words.shift() ?? 'list';
    if (sub === 'help') opts.help = true;
    else if ((MODELS_COMMANDS as readonly string[]).includes(sub)) opts.subcommand = sub as ModelsCommand;
    else if (!opts.help) throw new UsageError(`unknown models command '${sub}' (${oneOf(MODELS_COMMANDS)})`, 'models');
  }
  if (opts.command === 'voices' && (VOICES_COMMANDS as readonly string[]).includes(words[0] ?? '')) {
    opts.voicesCommand = words.shift() as VoicesCommand;
  }
  if (opts.command === 'reload' && words[0] === 'model') {
    opts.reloadModel = true;
    words.shift();
  }
  opts.args = words;
  validate(opts);
  return opts;
}

class Problem {
  constructor(readonly message: string) {}
}

function convert(name: string, kind: Exclude<Kind, 'flag' | 'negflag'>, value: string): string | number | Problem {
  if (kind === 'string') return value;
  if (typeof kind === 'object') {
    const choice = value.toLowerCase();
    return kind.choices.includes(choice)
      ? choice
      : new Problem(`unknown ${kind.what} '${value}' for ${name} (${oneOf(kind.choices)})`);
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    return new Problem(`option '${name}' needs ${kind === 'int' ? 'a whole number' : 'a number'}, not '${value}'`);
  }
  return n;
}

function validate(o: CliOptions): void {
  if (o.help || o.version) return;
  if (o.command === 'models') return validateModels(o);
  if (o.command === 'history') return validateHistory(o);
  const takesText = o.command === 'speak';
  if (o.command === 'cancel' && o.args.length > 0) {
    if (o.args.length > 1 || !/^\d+$/.test(o.args[0]!))
      throw new UsageError(
        `'cancel' takes one job number, as 'q3tts queue' lists them (got '${o.args.join(' ')}')`,
        o.command,
      );
    return;
  }
  if (o.command === 'speechd') {
    if (o.args.length !== 1 || !['install', 'uninstall'].includes(o.args[0]!))
      throw new UsageError(`'speechd' takes 'install' or 'uninstall'`, o.command);
    return;
  }
  if (o.command === 'speechd-module') {
    if (o.args.length > 1)
      throw new UsageError(
        `'speechd-module' takes at most its configuration file (speech-dispatcher passes it)`,
        o.command,
      );
    return;
  }
  if (o.command === 'voices') return validateVoices(o);
  if (o.voice !== undefined && o.command !== 'speak')
    throw new UsageError(`-v picks a saved voice to speak with: use it when speaking`, o.command);
  if (o.command === 'http') {
    if (o.args.length !== 1 || o.args[0] !== 'token')
      throw new UsageError(`'http' takes one word: 'q3tts http token' prints the HTTP door's bearer token`, o.command);
    return;
  }
  for (const [name, value] of [
    ['--http', o.http],
    ['--wyoming', o.wyoming],
  ] as const) {
    if (value === undefined) continue;
    if (o.command !== 'serve')
      throw new UsageError(`${name} opens a door of the daemon: use it with 'q3tts serve'`, o.command);
    try {
      parseListenAddress(value);
    } catch (err) {
      throw new UsageError(`${name}: ${errorMessage(err)}`, o.command);
    }
  }
  if (o.remote !== undefined && o.command !== 'serve')
    throw new UsageError(`--remote chooses the daemon's engine: use it with 'q3tts serve'`, o.command);
  if (o.remote !== undefined && o.engine !== undefined && o.engine !== 'remote')
    throw new UsageError(`--remote speaks through a server: it does not go with --engine ${o.engine}`, o.command);
  if (!takesText && o.command !== 'decode' && o.args.length > 0) {
    throw new UsageError(`'${o.command}' takes no arguments (got '${o.args.join(' ')}')`, o.command);
  }
  if (o.command === 'decode' && o.args.length !== 1)
    throw new UsageError(`'decode' needs exactly one codes file`, o.command);
  if (o.clipboard && o.args.length > 0) throw new UsageError(`give text or --clipboard, not both`);
  if (o.file !== undefined && (o.args.length > 0 || o.clipboard))
    throw new UsageError(`give text, -f FILE or --clipboard: one of them`);
  if (o.file !== undefined && o.command === 'decode') throw new UsageError(`'decode' reads codes, not -f`, o.command);
  if (o.raw && o.output !== undefined) throw new UsageError(`give --raw or -o, not both: the audio goes to one place`);
  if (o.command === 'decode' && (o.raw || o.output === '-'))
    throw new UsageError(`'decode' writes a file: give -o FILE`, o.command);
  const toStdout = o.raw || o.output === '-';
  if (toStdout && o.json)
    throw new UsageError(`${o.raw ? '--raw' : '-o -'} writes audio to stdout: --json would mix text into it`);
  if (toStdout && !o.wait)
    throw new UsageError(
      `${o.raw ? '--raw' : '-o -'} streams the audio until the end: it cannot be used with --no-wait`,
    );
  if (o.output !== undefined && o.output !== '-') {
    const chosen = formatForFile(o.output);
    if ('error' in chosen) throw new UsageError(`-o ${o.output}: ${chosen.error}`);
  }
  if (o.seed !== undefined && (o.seed < 0 || o.seed > 0xffffffff))
    throw new UsageError(`--seed must be between 0 and 4294967295`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new UsageError(`--top-p must be in (0, 1]`);
  if (o.temperature !== undefined && !(o.temperature > 0)) throw new UsageError(`--temperature must be above 0`);
  if (o.rate !== undefined && !(o.rate >= 0.5 && o.rate <= 2))
    throw new UsageError(`--rate must be between 0.5 and 2 (1 = normal speed), not ${o.rate}`);
  if (o.volume !== undefined && !(o.volume >= 0 && o.volume <= 100))
    throw new UsageError(`--volume must be between 0 and 100 (percent), not ${o.volume}`);
}

function validateVoices(o: CliOptions): void {
  const sub = o.voicesCommand;
  for (const [flag, value, only] of [
    ['--from', o.from, 'clone'],
    ['--text', o.text, 'clone'],
    ['--sentence', o.sentence, 'lock'],
  ] as const)
    if (value !== undefined && sub !== only) throw new UsageError(`${flag} goes with 'q3tts voices ${only}'`, 'voices');
  if (sub === undefined || sub === 'list') {
    if (o.args.length > 0)
      throw new UsageError(
        `unknown voices command '${o.args[0]}' (${oneOf(VOICES_COMMANDS)}; bare 'q3tts voices' describes the model)`,
        'voices',
      );
    return;
  }
  if (o.args.length !== 1)
    throw new UsageError(
      `'voices ${sub}' needs one voice name${o.args.length > 1 ? ' (quote a name with spaces)' : ''}`,
      'voices',
    );
  const name = o.args[0]!;
  if (sub === 'save') {
    const problem = presetNameProblem(name);
    if (problem) throw new UsageError(problem, 'voices');
    if (o.instruct === undefined && o.speaker === undefined)
      throw new UsageError(
        `'voices save ${name}' needs the voice: -i "a calm, low voice" (or --speaker NAME)`,
        'voices',
      );
    if (o.seed !== undefined && (o.seed < 0 || o.seed > 0xffffffff))
      throw new UsageError(`--seed must be between 0 and 4294967295`, 'voices');
  }
  if (sub === 'clone') {
    const problem = presetNameProblem(name);
    if (problem) throw new UsageError(problem, 'voices');
    if (o.from === undefined)
      throw new UsageError(
        `'voices clone ${name}' needs the reference clip: --from FILE (3–10 s of the voice; add --text "what it says")`,
        'voices',
      );
  }
}

function validateModels(o: CliOptions): void {
  const sub = o.subcommand!;
  const needsName = sub === 'pull' || sub === 'remove' || sub === 'use';
  if (needsName && o.args.length !== 1) throw new UsageError(`'models ${sub}' needs one model name`, 'models');
  if (!needsName && o.args.length > (sub === 'verify' ? 1 : 0))
    throw new UsageError(`too many arguments for 'models ${sub}' (got '${o.args.join(' ')}')`, 'models');
}

/** The command one edit away from `word` (a letter added, dropped, changed or two swapped), if exactly one is. */
export function nearestCommand(word: string): Command | undefined {
  const w = word.toLowerCase();
  if (w.length < 4 || (COMMANDS as readonly string[]).includes(w)) return undefined;
  const near = COMMANDS.filter((c) => c !== 'speak' && editDistance(w, c) === 1);
  return near.length === 1 ? near[0] : undefined;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two neighbours as one edit. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Protocol fields and the options that set them, so a daemon's complaint names what the user typed. */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  text: 'the text',
  language: '--language',
  instruct: '--instruct',
  speaker: '--speaker',
  voice: '--voice',
  name: 'the voice name',
  output: '--output',
  codes_out: '--codes-out',
  seed: '--seed',
  rate: '--rate',
  volume: '--volume',
  temperature: '--temperature',
  top_k: '--top-k',
  top_p: '--top-p',
  repetition_penalty: '--repetition-penalty',
  max_new_tokens: '--max-frames',
  do_sample: '--greedy',
};

/** Rewrites "field 'max_new_tokens': …" (the daemon's wording) as "--max-frames: …". */
export function withFlagNames(message: string): string {
  return message.replace(
    /field '([a-z_]+)'|\b(output|codes_out) '/g,
    (whole, field: string | undefined, bare: string | undefined) => {
      const name = field ?? bare!;
      const flag = FIELD_FLAGS[name];
      if (!flag) return whole;
      return field ? flag : `${flag} '`;
    },
  );
}

/** q3tts history [list] | play N | save N FILE | speak N | clear [N]. */
function validateHistory(o: CliOptions): void {
  const [sub = 'list', n, file, ...rest] = o.args;
  const usage = (message: string) => new UsageError(message, 'history');
  const number = (needed: boolean) => {
    if (n === undefined && !needed) return;
    if (n === undefined || !/^[1-9]\d*$/.test(n))
      throw usage(
        `'history ${sub}' needs an entry number, as 'q3tts history' lists them${n === undefined ? '' : ` (got '${n}')`}`,
      );
  };
  if (!(HISTORY_COMMANDS as readonly string[]).includes(sub))
    throw usage(`unknown history command '${sub}' (${oneOf(HISTORY_COMMANDS)})`);
  if (sub === 'list' && n !== undefined) throw usage(`'history list' takes no arguments`);
  if (sub === 'play' || sub === 'speak' || sub === 'save') number(true);
  if (sub === 'clear') number(false);
  if (sub === 'save') {
    if (file === undefined)
      throw usage(`'history save' needs the entry number and a file: q3tts history save 3 hello.wav`);
    const chosen = formatForFile(file);
    if ('error' in chosen) throw usage(`${file}: ${chosen.error}`);
  } else if (file !== undefined) throw usage(`too many arguments for 'history ${sub}'`);
  if (rest.length) throw usage(`too many arguments for 'history ${sub}'`);
}
