// Command-line parsing for q3tts: pure, so every form is table-tested (test/cli/args.test.ts).

export const COMMANDS = ['speak', 'serve', 'stop', 'status', 'cancel', 'pause', 'resume', 'queue', 'reload', 'voices', 'devices', 'decode', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  /** Words of text (speak) or the codes file (decode). */
  args: string[];
  output?: string;
  instruct?: string;
  language?: string;
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
  primary: boolean;
  json: boolean;
  quiet: boolean;
  socket?: string;
  engine?: string;
  model?: string;
  threads?: number;
  provider?: string;
  /** reload --model: reload the model too, not only the handlers. */
  reloadModel: boolean;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Spec = { key: keyof CliOptions; kind: 'string' | 'int' | 'number' | 'flag' | 'negflag' };
const OPTIONS: Record<string, Spec> = {
  '-o': { key: 'output', kind: 'string' },
  '--output': { key: 'output', kind: 'string' },
  '-i': { key: 'instruct', kind: 'string' },
  '--instruct': { key: 'instruct', kind: 'string' },
  '-l': { key: 'language', kind: 'string' },
  '--language': { key: 'language', kind: 'string' },
  '--speaker': { key: 'speaker', kind: 'string' },
  '--seed': { key: 'seed', kind: 'int' },
  '--temperature': { key: 'temperature', kind: 'number' },
  '--top-k': { key: 'topK', kind: 'int' },
  '--top-p': { key: 'topP', kind: 'number' },
  '--repetition-penalty': { key: 'repetitionPenalty', kind: 'number' },
  '--max-frames': { key: 'maxFrames', kind: 'int' },
  '--greedy': { key: 'greedy', kind: 'flag' },
  '--codes-out': { key: 'codesOut', kind: 'string' },
  '--no-wait': { key: 'wait', kind: 'negflag' },
  '--interrupt': { key: 'interrupt', kind: 'flag' },
  '--asap': { key: 'asap', kind: 'flag' },
  '--clipboard': { key: 'clipboard', kind: 'flag' },
  '--primary': { key: 'primary', kind: 'flag' },
  '--json': { key: 'json', kind: 'flag' },
  '-q': { key: 'quiet', kind: 'flag' },
  '--quiet': { key: 'quiet', kind: 'flag' },
  '--socket': { key: 'socket', kind: 'string' },
  '--engine': { key: 'engine', kind: 'string' },
  '--model': { key: 'model', kind: 'string' },
  '--threads': { key: 'threads', kind: 'int' },
  '--provider': { key: 'provider', kind: 'string' },
  '-h': { key: 'help', kind: 'flag' },
  '--help': { key: 'help', kind: 'flag' },
  '-V': { key: 'version', kind: 'flag' },
  '--version': { key: 'version', kind: 'flag' },
};

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    command: 'speak',
    args: [],
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
  const rest: string[] = [];
  let onlyText = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyText || arg === '-' || !arg.startsWith('-') || /^-\d/.test(arg)) {
      rest.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyText = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS[name];
    if (!spec) throw new UsageError(`unknown option '${name}'`);
    if (spec.kind === 'flag' || spec.kind === 'negflag') {
      if (eq > 0 && arg.startsWith('--')) throw new UsageError(`option '${name}' takes no value`);
      (opts as unknown as Record<string, unknown>)[spec.key] = spec.kind === 'flag';
      continue;
    }
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option '${name}' needs a value`);
    (opts as unknown as Record<string, unknown>)[spec.key] = convert(name, spec.kind, value);
  }
  const first = rest[0];
  if (first !== undefined && (COMMANDS as readonly string[]).includes(first) && first !== 'speak') {
    opts.command = first as Command;
    rest.shift();
  }
  if (opts.command === 'reload' && rest[0] === 'model') {
    opts.reloadModel = true;
    rest.shift();
  }
  if (opts.command === 'help') {
    opts.help = true;
    opts.command = (rest.shift() as Command | undefined) ?? 'speak';
  }
  opts.args = rest;
  validate(opts);
  return opts;
}

function convert(name: string, kind: Spec['kind'], value: string): string | number {
  if (kind === 'string') return value;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw new UsageError(`option '${name}' needs ${kind === 'int' ? 'a whole number' : 'a number'}, not '${value}'`);
  }
  return n;
}

function validate(o: CliOptions): void {
  if (o.help || o.version) return;
  const takesText = o.command === 'speak';
  if (!takesText && o.command !== 'decode' && o.args.length > 0) {
    throw new UsageError(`'${o.command}' takes no arguments (got '${o.args.join(' ')}')`);
  }
  if (o.command === 'decode' && o.args.length !== 1) throw new UsageError(`'decode' needs exactly one codes file`);
  if (o.clipboard && o.args.length > 0) throw new UsageError(`give text or --clipboard, not both`);
  if (o.seed !== undefined && (o.seed < 0 || o.seed > 0xffffffff)) throw new UsageError(`--seed must be between 0 and 4294967295`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new UsageError(`--top-p must be in (0, 1]`);
  if (o.temperature !== undefined && !(o.temperature > 0)) throw new UsageError(`--temperature must be above 0`);
}

export const USAGE = `q3tts — local text-to-speech with Qwen3-TTS

Usage:
  q3tts [options] "text to say"     speak (text may also come on stdin)
  q3tts -o out.wav "text"           save to a WAV file instead of playing
  q3tts --clipboard                 read the clipboard aloud (bind this to a desktop shortcut)
  q3tts serve                       run the daemon in the foreground (keeps the model loaded)
  q3tts stop                        shut the daemon down
  q3tts status                      daemon state, model, queue, last timings
  q3tts cancel                      silence the current speech and clear the queue
  q3tts pause | resume              hold playback (generation goes on) and carry on
  q3tts queue                       list what is speaking and waiting
  q3tts reload [model]              re-import the handlers (and with 'model', reload the model)
  q3tts voices                      languages and speakers of the loaded model
  q3tts devices                     audio output devices (choose one with Q3TTS_AUDIO_DEVICE=NAME)
  q3tts decode codes.json -o a.wav  turn saved codec frames back into audio
  q3tts models list|pull|verify|remove|use   manage models ('q3tts models --help')

Speech options:
  -i, --instruct TEXT     the voice, described in words ("a calm, low male voice")
  -l, --language NAME     English, Chinese, ..., or auto (default)
      --speaker NAME      preset speaker (CustomVoice models)
  -o, --output FILE       write a 24 kHz 16-bit mono WAV file
      --codes-out FILE    also save the codec frames as JSON
      --seed N            same seed, same audio
      --temperature X  --top-k N  --top-p X  --repetition-penalty X  --max-frames N
      --greedy            deterministic decoding (no sampling)
      --interrupt         speak now: cancel what is playing and queued
      --asap              start at the first audio, even if slow machines then pause inside sentences
      --no-wait           return once queued
      --clipboard [--primary]   read the clipboard (or the X11/Wayland primary selection)

General options:
      --json              machine-readable output
  -q, --quiet             no progress messages
      --socket PATH       the daemon's socket (default: Q3TTS_SOCKET or the per-user path)
      --engine NAME --model DIR --threads N --provider cpu|cuda|dml|coreml   (serve, and without a daemon)
  -h, --help   -V, --version

Exit codes: 0 ok, 1 usage or invalid request, 2 no daemon reachable, 3 engine/model/audio/output error, 4 cancelled.
`;
