// The q3tts command. Talks to the daemon over its socket; without one, speaks in-process (slower: the
// model loads for each call). Engine code is imported only on that fallback path and by `serve`.
import { fstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnswerOf, OkAnswerOf, Requester, RequestOf } from '../shared/actions.js';
import { MAX_TEXT_CHARS } from '../shared/limits.js';
import { needsSplitting, speakDocument } from './document-job.js';
import { sentenceLine } from './progress-line.js';
import type { ErrorAnswer, ErrorCode, EventMessage } from '../shared/protocol.js';
import { streamingWavHeader, wavHeader } from '../core/audio/wav-header.js';
import { configDir, socketPath as defaultSocketPath } from '../shared/paths.js';
import { currentPathEnv } from '../core/paths.js';
import { parseArgs, UsageError, withFlagNames, type CliOptions, type Command } from './args.js';
import { EXIT, helpFor, helpHint } from './help.js';
import { DaemonConnection, DaemonUnreachable } from '../core/client.js';
import { UntrustedSocketPath } from '../core/socket-trust.js';
import { errorDetail, errorMessage } from '../shared/errors.js';

const err = (line: string) => process.stderr.write(`q3tts: ${line}\n`);

/** Codes the CLI itself answers with, beside the protocol's (same shape: {status, code, message}). */
type CliErrorCode = ErrorCode | 'E_USAGE' | 'E_UNREACHABLE';

/**
 * Reports a failure: with --json, one {"status":"error","code","message"} line on stdout (every failure, usage
 * errors included); otherwise the message on stderr. Returns the exit code.
 */
function failure(json: boolean, code: CliErrorCode, message: string, exit: number, hint?: string): number {
  if (json) process.stdout.write(`${JSON.stringify({ status: 'error', code, message })}\n`);
  else err(hint ? `${message}\n${hint}` : message);
  return exit;
}

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'E_CANCELLED':
      return EXIT.cancelled;
    case 'E_INVALID':
    case 'E_TEXT_EMPTY':
    case 'E_TEXT_TOO_LONG':
    case 'E_UNKNOWN_ACTION':
    case 'E_BAD_FRAME':
    case 'E_FRAME_TOO_LARGE':
      return EXIT.usage;
    case 'E_SHUTTING_DOWN':
      return EXIT.unreachable;
    default:
      return EXIT.failed;
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError)
      return failure(argv.includes('--json'), 'E_USAGE', e.message, EXIT.usage, helpHint(e.command));
    throw e;
  }
  if (opts.version) {
    // Read only when asked: out/cli/ sits two levels below the package root, in a checkout and installed.
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`q3tts ${version}\n`);
    return EXIT.ok;
  }
  if (opts.help || opts.command === 'help') {
    process.stdout.write(helpFor(opts.command));
    return EXIT.ok;
  }
  if (opts.command === 'models') {
    const { runModels } = await import('./models.js');
    return runModels(
      { ...opts, sub: opts.subcommand! },
      { stdout: process.stdout, stderr: process.stderr, env: process.env },
    );
  }
  const pathEnv = currentPathEnv();
  if (opts.command === 'http') return httpToken(pathEnv);
  const socket = opts.socket ?? defaultSocketPath(pathEnv);
  if (opts.command === 'speechd' || opts.command === 'speechd-module') {
    const speechd = await import('./speechd.js');
    if (opts.command === 'speechd-module') return speechd.runSpeechdModule(socket);
    const print = (line: string) => process.stdout.write(`${line}\n`);
    (opts.args[0] === 'install' ? speechd.installSpeechd : speechd.uninstallSpeechd)(pathEnv, print);
    return EXIT.ok;
  }

  if (opts.command === 'serve') return serve(opts, socket);
  if (opts.command === 'devices') return devices(opts);

  if (opts.command === 'speak' || opts.command === 'decode') {
    let request: SpeakRequest;
    try {
      request = await buildRequest(opts);
    } catch (e) {
      return e instanceof UsageError
        ? failure(opts.json, 'E_USAGE', e.message, EXIT.usage)
        : failure(opts.json, 'E_INTERNAL', errorMessage(e), EXIT.failed);
    }
    return speak(opts, socket, request);
  }

  if (opts.command === 'voices' && opts.voicesCommand) {
    const { askPresets, describePresets, presetRequest } = await import('./voices.js');
    const answer = await askPresets(socket, presetRequest(opts), opts);
    return report(opts, answer, (a) => describePresets(opts, a));
  }

  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.connect(socket);
  } catch (e) {
    return unreachable(opts, e as Error);
  }
  try {
    if (opts.command === 'history') {
      const { runHistory } = await import('./history.js');
      return await runHistory(opts, connection, { report: (answer, describe) => report(opts, answer, describe) });
    }
    return await control(opts, connection, opts.command);
  } catch (e) {
    return failure(opts.json, 'E_UNREACHABLE', errorMessage(e), EXIT.unreachable);
  } finally {
    connection.close();
  }
}

/** What `q3tts "text"` and `q3tts decode` send. */
type SpeakRequest = RequestOf<'generate'> | RequestOf<'decode'>;

/** The commands that are one request and one answer, each answer printed for a person by CONTROL. */
type ControlCommand = Exclude<
  Command,
  'speak' | 'decode' | 'serve' | 'devices' | 'help' | 'models' | 'http' | 'speechd' | 'speechd-module' | 'history'
>;

async function control<C extends ControlCommand>(
  opts: CliOptions,
  connection: DaemonConnection,
  command: C,
): Promise<number> {
  const { request, describe } = CONTROL[command];
  const answer = await connection.request<C>(request(opts));
  return report(opts, answer, (a) => describe(a, opts));
}

async function buildRequest(opts: CliOptions): Promise<SpeakRequest> {
  const cwd = process.cwd();
  if (opts.command === 'decode') {
    const file = opts.args[0]!;
    let frames: unknown;
    try {
      frames = JSON.parse(readFileSync(path.resolve(cwd, file), 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read codes from ${file}: ${errorMessage(e)}`);
    }
    // Checked by the daemon, which answers E_INVALID with the reason.
    return { action: 'decode', frames: frames as number[][], output: opts.output ?? null, cwd };
  }
  let text: string;
  if (opts.clipboard) {
    const { readClipboard } = await import('../core/clipboard.js');
    const { speakable } = await import('../core/text/document.js');
    const copied = await readClipboard(opts.primary);
    if (!copied.trim()) throw new UsageError(`the clipboard holds no text`);
    // Read as heard, by the same parsers as -f and stdin (the app's hotkey: the daemon's `clean`, the same code).
    text = speakable(copied);
  } else if (opts.file !== undefined) {
    text = await readDocument(opts.file, cwd);
  } else if (opts.args.length === 0 || (opts.args.length === 1 && opts.args[0] === '-')) {
    if (process.stdin.isTTY) throw new UsageError(`no text given. Try: q3tts "Hello there"  (or pipe text in)`);
    // Markdown or HTML piped in is read as it would be heard, like -f: never its markup.
    const { speakable } = await import('../core/text/document.js');
    text = speakable(await readStdin());
  } else {
    text = opts.args.join(' ');
  }
  const request: RequestOf<'generate'> = {
    action: 'generate',
    text,
    // With a saved voice (-v), what is not given comes from it (the daemon fills it in).
    language: opts.language ?? (opts.voice !== undefined ? null : 'auto'),
    instruct: opts.instruct ?? null,
    output: toStdout(opts) ? null : (opts.output ?? null),
    cwd,
    source: 'cli',
  };
  if (toStdout(opts)) request.stream = true;
  if (opts.speaker !== undefined) request.speaker = opts.speaker;
  if (opts.voice !== undefined) request.voice = opts.voice;
  if (opts.codesOut !== undefined) request.codes_out = opts.codesOut;
  if (opts.seed !== undefined) request.seed = opts.seed;
  if (opts.rate !== undefined) request.rate = opts.rate;
  if (opts.volume !== undefined) request.volume = opts.volume;
  if (opts.temperature !== undefined) request.temperature = opts.temperature;
  if (opts.topK !== undefined) request.top_k = opts.topK;
  if (opts.topP !== undefined) request.top_p = opts.topP;
  if (opts.repetitionPenalty !== undefined) request.repetition_penalty = opts.repetitionPenalty;
  if (opts.maxFrames !== undefined) request.max_new_tokens = opts.maxFrames;
  if (opts.greedy) request.do_sample = false;
  if (opts.interrupt) request.interrupt = true;
  if (opts.asap) request.start = 'asap';
  if (!opts.wait) request.wait = false;
  return request;
}

/** -f FILE (or -f - for stdin): text, Markdown, HTML, PDF or EPUB (by extension; stdin by its content), as heard. */
async function readDocument(file: string, cwd: string): Promise<string> {
  const { kindForFile } = await import('../core/text/document.js');
  const { documentBytesToSpeech, sniffBytes } = await import('../core/text/read-document.js');
  const { DocumentError } = await import('../core/text/document-error.js');
  if (file === '-' && process.stdin.isTTY) throw new UsageError(`-f - reads stdin, but nothing is piped in`);
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdinBytes() : readFileSync(path.resolve(cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : errorMessage(e)}`,
    );
  }
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = await documentBytesToSpeech(bytes, file === '-' ? sniffBytes(bytes) : kindForFile(file), name);
  } catch (e) {
    if (e instanceof DocumentError) throw new UsageError(e.message);
    throw e;
  }
  if (!text.trim()) throw new UsageError(`${name} holds no text to say`);
  return text;
}

/** The most characters one request carries; longer texts become a document job (Q3TTS_SPLIT_CHARS: tests). */
function requestLimit(): number {
  const n = Number(process.env.Q3TTS_SPLIT_CHARS);
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_TEXT_CHARS) : MAX_TEXT_CHARS;
}

/** Sends one request, or a long text as a document job; `ids` are what Ctrl-C cancels. */
function send(
  opts: CliOptions,
  requester: Requester,
  request: SpeakRequest,
  id: string,
  audio: StdoutAudio | undefined,
  progress: { event(e: EventMessage): void } | undefined,
): { ids: string[]; answer: Promise<AnswerOf<'generate'> | AnswerOf<'decode'>> } {
  if (request.action !== 'generate' || !needsSplitting(request, requestLimit())) {
    const onEvent = (e: EventMessage) => {
      audio?.onEvent(e);
      progress?.event(e);
    };
    return { ids: [id], answer: requester.request({ ...request, id }, onEvent) };
  }
  // A document shows its own progress (part k of n) instead of the sentence line.
  const partsLine = process.stderr.isTTY && !opts.quiet && !opts.json;
  const job = speakDocument(requester, request, {
    maxChars: requestLimit(),
    idPrefix: id,
    onAudio: audio?.onEvent,
    onPart: (k, n) => {
      if (partsLine) process.stderr.write(`\r\x1b[Kpart ${k} of ${n}${k === n ? '\n' : ''}`);
    },
  });
  return { ids: job.ids, answer: job.done };
}

/** -o - and --raw: the audio comes back over the connection and goes to stdout. */
const toStdout = (opts: CliOptions) => opts.raw || opts.output === '-';

async function speak(opts: CliOptions, socket: string, request: SpeakRequest): Promise<number> {
  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.connect(socket);
  } catch (e) {
    if (e instanceof UntrustedSocketPath) return unreachable(opts, e); // never fall back silently past a squatter
    if (!(e instanceof DaemonUnreachable)) throw e;
    return speakInProcess(opts, request);
  }
  const audio = toStdout(opts) ? new StdoutAudio(opts.raw) : undefined;
  // Ctrl-C while waiting cancels this request (every part of a long text) in the daemon, then exits.
  const progress = speechProgress(opts, request);
  const events = progress ? { events: true } : {};
  const sent = send(opts, connection, { ...request, ...events }, `cli-${process.pid}`, audio, progress);
  // The reader of stdout went away (`| head -c …`): the daemon would go on making audio for nobody, holding the queue.
  if (audio)
    audio.readerGone = () =>
      Promise.all(sent.ids.map((target) => connection.request({ action: 'cancel', target }).catch(() => undefined)));
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    for (const target of sent.ids) void connection.request({ action: 'cancel', target }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    const answer = await sent.answer;
    progress?.done();
    if (audio?.gone) return EXIT.ok; // quietly, like any pipeline member whose reader left
    if (answer.status === 'ok') await audio?.finish();
    return interrupted ? 130 : report(opts, answer, (a) => describeSpeech(opts, a));
  } catch (e) {
    return failure(opts.json, 'E_UNREACHABLE', errorMessage(e), EXIT.unreachable);
  } finally {
    process.off('SIGINT', onSigint);
    connection.close();
  }
}

async function speakInProcess(opts: CliOptions, request: SpeakRequest): Promise<number> {
  const [{ createCore }, { resolveEngineConfig }] = await Promise.all([
    import('../core/daemon/daemon.js'),
    import('../core/engine/config.js'),
  ]);
  let engine;
  try {
    engine = resolveEngineConfig(currentPathEnv(), {
      engine: opts.engine,
      modelDir: opts.model,
      executionProvider: opts.provider,
      precision: opts.precision,
      threads: opts.threads,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return failure(opts.json, code === 'E_NO_MODEL' ? 'E_NO_MODEL' : 'E_ENGINE', errorMessage(e), EXIT.failed);
  }
  if (!opts.quiet)
    err(
      `no daemon running: synthesizing in-process (slower; 'q3tts serve' keeps the model loaded for instant replies)`,
    );
  const core = createCore({ engine, inProcessEngine: true, log: opts.quiet ? () => undefined : (m) => err(m) });
  const onSigint = () => core.queue.cancel();
  process.on('SIGINT', onSigint);
  const audio = toStdout(opts) ? new StdoutAudio(opts.raw) : undefined;
  try {
    const progress = speechProgress(opts, request);
    const events = progress ? { events: true } : {};
    // Wait for the speech even when asked not to: this process ends with it. (decode always waits.)
    const answer = await send(
      opts,
      core,
      request.action === 'generate' ? { ...request, wait: true, ...events } : { ...request, ...events },
      `cli-${process.pid}`,
      audio,
      progress,
    ).answer;
    progress?.done();
    if (answer.status === 'ok') await audio?.finish();
    return report(opts, answer, (a) => describeSpeech(opts, a));
  } finally {
    process.off('SIGINT', onSigint);
    await core.close();
  }
}

async function serve(opts: CliOptions, socket: string): Promise<number> {
  const [{ startDaemon }, { resolveEngineConfig }, { DaemonAlreadyRunning }, { DEFAULT_WATCHDOG_MS }] =
    await Promise.all([
      import('../core/daemon/daemon.js'),
      import('../core/engine/config.js'),
      import('../core/daemon/server.js'),
      import('../core/daemon/watchdog.js'),
    ]);
  // Signals are handled from the start: one that arrives while the model loads still ends in a clean shutdown.
  const shutdownRequested = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  let daemon;
  try {
    const engine = resolveEngineConfig(currentPathEnv(), {
      engine: opts.engine,
      modelDir: opts.model,
      executionProvider: opts.provider,
      precision: opts.precision,
      threads: opts.threads,
      remoteUrl: opts.remote,
    });
    const doors =
      opts.http || opts.wyoming
        ? { doors: { http: opts.http ?? null, wyoming: opts.wyoming ?? null, configDir: configDir(currentPathEnv()) } }
        : {};
    daemon = await startDaemon({
      socketPath: socket,
      engine,
      log: (m) => process.stderr.write(`${m}\n`),
      watchdogMs: Number(process.env.Q3TTS_WATCHDOG_MS) || DEFAULT_WATCHDOG_MS,
      ...doors,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return failure(
      opts.json,
      e instanceof DaemonAlreadyRunning ? 'E_BUSY' : code === 'E_NO_MODEL' ? 'E_NO_MODEL' : 'E_ENGINE',
      errorMessage(e),
      e instanceof DaemonAlreadyRunning ? EXIT.alreadyRunning : EXIT.failed,
    );
  }
  const running = daemon;
  const shutdown = shutdownRequested.then(async (signal) => {
    process.stderr.write(`${signal}: shutting down\n`);
    await running.close();
  });
  await Promise.race([shutdown, running.stopped]);
  process.stderr.write('daemon stopped\n');
  return EXIT.ok;
}

/** Prints the HTTP door's bearer token (making it on first use), for clients beyond loopback. */
async function httpToken(pathEnv: ReturnType<typeof currentPathEnv>): Promise<number> {
  const { loadOrCreateToken } = await import('../core/doors/token.js');
  try {
    process.stdout.write(`${loadOrCreateToken(configDir(pathEnv))}\n`);
  } catch (e) {
    err(errorMessage(e));
    return EXIT.failed;
  }
  return EXIT.ok;
}

/**
 * What the user sees while speech is prepared and spoken (stderr, not with -q or --json): on a terminal one
 * line kept up to date ("preparing sentence 1 of 3…", "speaking sentence 2 of 3, 4.1 s"); piped, nothing but
 * the one notice that the machine is slower than real time.
 */
function speechProgress(
  opts: CliOptions,
  request: SpeakRequest,
): { event(e: EventMessage): void; done(): void } | undefined {
  if (opts.quiet || opts.json || request.output || ('wait' in request && request.wait === false)) return undefined;
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let segment = '';
  let reading = false; // a sentence line is up: progress figures do not replace it
  const show = (line: string) => {
    if (!tty) return;
    process.stderr.write(`\r\x1b[2K${line}`);
    shown = true;
  };
  return {
    event: (e) => {
      const of =
        typeof e.segments === 'number' && e.segments > 1 ? ` ${String(e.segment)} of ${String(e.segments)}` : '';
      if (e.event === 'slow') {
        if (shown) process.stderr.write('\n');
        shown = false;
        err(String(e.advice));
      } else if (e.event === 'preparing') {
        segment = `sentence${of}`;
        show(
          `preparing ${segment}…${typeof e.wait_s === 'number' && e.wait_s >= 1 ? ` (about ${Math.round(e.wait_s)} s before speech)` : ''}`,
        );
      } else if (e.event === 'speaking') {
        segment = `sentence${of}`;
        show(`speaking ${segment}`);
      } else if (e.event === 'sentence') {
        // which sentence is read, and its start: this line stays until the next sentence
        reading = true;
        show(sentenceLine(Number(e.sentence), Number(e.sentences), String(e.text), process.stderr.columns || 80));
      } else if (e.event === 'progress' && segment && !reading) {
        show(`speaking ${segment}, ${Number(e.audio_seconds).toFixed(1)} s generated`);
      }
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** Lists PortAudio's output devices (this process loads the audio addon; no daemon needed). */
async function devices(opts: CliOptions): Promise<number> {
  const { outputDevices } = await import('../core/audio/naudiodon-sink.js');
  let list;
  try {
    list = outputDevices();
  } catch (e) {
    return failure(opts.json, 'E_AUDIO_DEVICE', errorMessage(e), EXIT.failed);
  }
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ status: 'ok', devices: list.map((d) => ({ id: d.id, name: d.name, host_api: d.hostApi })) })}\n`,
    );
  else
    process.stdout.write(
      list.length ? `${list.map((d) => `${d.name}\t(${d.hostApi})`).join('\n')}\n` : 'no output devices\n',
    );
  return EXIT.ok;
}

function unreachable(opts: CliOptions, e: Error): number {
  return failure(opts.json, 'E_UNREACHABLE', e.message, EXIT.unreachable);
}

/** Prints an answer the way the user asked for, and returns the exit code it means. */
function report<Ok extends { status: 'ok' }>(
  opts: CliOptions,
  answer: Ok | ErrorAnswer,
  describe: (a: Ok) => string,
): number {
  if (answer.status === 'error')
    return failure(opts.json, answer.code, withFlagNames(answer.message), exitCodeFor(answer.code));
  if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (!opts.json) {
    const text = describe(answer);
    if (text) process.stdout.write(`${text}\n`);
    if ('warning' in answer && typeof answer.warning === 'string' && !opts.quiet) err(`warning: ${answer.warning}`);
  }
  return EXIT.ok;
}

/** Where next/back left playback, for a person. */
function describeStep(a: OkAnswerOf<'next' | 'back'>): string {
  if (a.job === null) return 'nothing is speaking';
  if (a.sentence === null) return `job ${a.job}: past its last sentence (it ends; the queue goes on)`;
  return `job ${a.job}: sentence ${a.sentence} of ${String(a.sentences)}${a.state === 'paused' ? ' (paused)' : ''}`;
}

/** What `q3tts "text"` and `q3tts decode` print: the fields both answers may carry. */
function describeSpeech(
  opts: CliOptions,
  a: { queued?: true; job?: number; position?: number; output?: string; audio_seconds?: number; parts?: number },
): string {
  if (opts.quiet) return '';
  const parts = a.parts ? `${a.parts} parts, ` : '';
  if (a.queued) return `queued (${parts}job ${a.job}, position ${a.position})`;
  if (a.output)
    return `saved ${a.output}${a.audio_seconds !== undefined ? ` (${parts}${a.audio_seconds} s of audio)` : ''}`;
  return '';
}

/** Each control command's request, and its answer as a person reads it ('' = nothing to print). */
const CONTROL: {
  [C in ControlCommand]: {
    request(opts: CliOptions): RequestOf<C> & { action: C };
    describe(a: OkAnswerOf<C>, opts: CliOptions): string;
  };
} = {
  status: {
    request: () => ({ action: 'status' }),
    describe: (a) => {
      const lines = [
        `q3tts daemon: ${a.state}`,
        `  pid ${a.pid}, up ${formatDuration(a.uptime_s)}`,
        `  engine ${a.engine ?? '-'}, model ${a.model ?? '-'}`,
        `  queue ${a.queue_length}`,
        `  socket ${String(a.socket)}`,
        `  handlers ${a.handlers_version}`,
        ...(a.doors ?? []).map(
          (d) =>
            `  door ${d.door === 'openai-http' ? 'HTTP (OpenAI API)' : 'Wyoming'} ${d.address}${d.auth ? ' (bearer token)' : ''}`,
        ),
      ];
      if (a.last)
        lines.push(
          `  last: ${a.last.audio_seconds} s of audio, first audio after ${a.last.ttfa_ms} ms, real-time factor ${a.last.rtf}`,
        );
      if (a.playback !== 'idle')
        lines.push(
          `  playback ${a.playback}${a.playback === 'preparing' ? ' (generated, held back so it does not pause mid-sentence)' : ''}`,
        );
      if (a.speed?.rtf)
        lines.push(
          `  speed: real-time factor ${a.speed.rtf}${a.speed.slow ? ` (slower than real time: ${a.speed.advice ?? ''})` : ''}`,
        );
      if (a.remote)
        lines.push(
          `  speech server ${a.remote.url}: ${a.remote.using === 'local' ? `not answering (${a.remote.error ?? 'unknown'}); the local model speaks` : a.remote.error ? `failing (${a.remote.error})` : 'speaks'}`,
        );
      if (a.error) lines.push(`  error: ${a.error}`);
      return lines.join('\n');
    },
  },
  stop: { request: () => ({ action: 'stop' }), describe: (_a, opts) => (opts.quiet ? '' : 'daemon stopping') },
  cancel: {
    request: (opts) => ({ action: 'cancel', ...(opts.args[0] ? { target: Number(opts.args[0]) } : {}) }),
    describe: (a, opts) =>
      opts.quiet
        ? ''
        : opts.args[0] && a.cancelled === 0
          ? `no job ${opts.args[0]} (finished already, or never queued)`
          : `cancelled ${a.cancelled}`,
  },
  pause: { request: () => ({ action: 'pause' }), describe: (a, opts) => (opts.quiet ? '' : a.state) },
  resume: { request: () => ({ action: 'resume' }), describe: (a, opts) => (opts.quiet ? '' : a.state) },
  next: { request: () => ({ action: 'next' }), describe: (a, opts) => (opts.quiet ? '' : describeStep(a)) },
  back: { request: () => ({ action: 'back' }), describe: (a, opts) => (opts.quiet ? '' : describeStep(a)) },
  queue: {
    request: () => ({ action: 'queue' }),
    describe: (a) =>
      a.jobs.length ? a.jobs.map((j) => `${j.job}\t${j.state}\t${oneLine(j.summary)}`).join('\n') : 'queue empty',
  },
  reload: {
    request: (opts) => ({ action: 'reload', ...(opts.reloadModel ? { model: true } : {}) }),
    describe: (a, opts) =>
      opts.quiet
        ? ''
        : a.load_ms === undefined
          ? `handlers ${a.handlers_version}`
          : `model reloaded: ${a.model ?? '?'} in ${(a.load_ms / 1000).toFixed(1)} s (handlers ${a.handlers_version})`,
  },
  voices: {
    request: () => ({ action: 'voices' }),
    describe: (a) =>
      [
        `model: ${a.model}`,
        `languages: ${a.languages.join(', ')}`,
        `speakers: ${a.speakers.join(', ') || '(none: describe a voice with --instruct)'}`,
      ].join('\n'),
  },
};

/** Control characters (new lines, tabs, escapes) as spaces: one job stays one line, and a terminal stays sane. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/**
 * The "audio" events of a streamed request, to stdout: raw PCM as it comes (--raw), or a WAV (-o -). A WAV
 * into a pipe streams with "unknown length" sizes (players start at once); into a file it is held and written
 * whole at the end, with its real sizes.
 */
class StdoutAudio {
  private readonly held: Buffer[] = [];
  private sampleRate = 24000;
  private started = false;
  private readonly toFile: boolean;
  private pending: Promise<void> = Promise.resolve();
  /** Called once when stdout's reader has gone, before this process exits (cancels the request in the daemon). */
  readerGone: () => Promise<unknown> = () => Promise.resolve();
  /** stdout's reader has gone: the request's answer (cancelled) is nobody's business any more. */
  gone = false;

  constructor(private readonly raw: boolean) {
    let isFile = false;
    try {
      isFile = fstatSync(1).isFile();
    } catch {
      // no stdout to look at: treat as a pipe
    }
    this.toFile = !raw && isFile;
    // The reader went away (`| head -c …`, a player closed): stop like any pipeline member, without a trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (this.gone) return;
      this.gone = true;
      const limit = new Promise((r) => setTimeout(r, 2000).unref()); // a daemon that does not answer cannot hold us
      void Promise.race([this.readerGone(), limit]).finally(() => process.exit(EXIT.ok));
    });
  }

  readonly onEvent = (event: EventMessage): void => {
    if (event.event !== 'audio' || typeof event.pcm !== 'string') return;
    if (typeof event.sample_rate === 'number') this.sampleRate = event.sample_rate;
    const pcm = Buffer.from(event.pcm, 'base64');
    if (this.toFile) {
      this.held.push(pcm);
      return;
    }
    if (!this.raw && !this.started) this.write(streamingWavHeader(this.sampleRate));
    this.started = true;
    this.write(pcm);
  };

  private write(bytes: Buffer): void {
    this.pending = this.pending.then(
      () =>
        new Promise<void>((resolve) => {
          process.stdout.write(bytes, () => resolve());
        }),
    );
  }

  /** Writes what is held (a WAV to a file; also an empty WAV when nothing was spoken) and waits for stdout. */
  async finish(): Promise<void> {
    if (this.toFile || (!this.raw && !this.started)) {
      const data = Buffer.concat(this.held);
      this.write(Buffer.concat([wavHeader(this.sampleRate, 1, data.length), data]));
    }
    await this.pending;
  }
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

async function readStdin(): Promise<string> {
  return (await readStdinBytes()).toString('utf8');
}

function readStdinBytes(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(`internal error: ${errorDetail(e)}`);
    process.exitCode = EXIT.failed;
  },
);
