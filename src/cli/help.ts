// What `q3tts --help` and `q3tts models --help` print, and the exit codes they promise. The lists in it come
// from the code (engine options, exit codes, environment), so the help cannot drift from what q3tts does;
// test/cli/help.test.ts holds README and the sources to the same lists.
import { ENGINES, EXECUTION_PROVIDERS, PRECISIONS } from '../shared/engine-options.js';
import type { Command } from './args.js';

export const EXIT = {
  ok: 0,
  usage: 1,
  unreachable: 2,
  failed: 3,
  cancelled: 4,
  alreadyRunning: 5,
  interrupted: 130,
} as const;

export const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'ok',
  usage: 'usage or invalid request',
  unreachable: 'no daemon reachable',
  failed: 'engine/model/audio/output error',
  cancelled: 'cancelled',
  alreadyRunning: 'a daemon is already running (serve)',
  interrupted: 'interrupted (Ctrl-C)',
};

/** The environment variables q3tts reads, and what for (README's table says the same). */
export const ENVIRONMENT: ReadonlyArray<readonly [name: string, meaning: string]> = [
  ['Q3TTS_SOCKET', "the daemon's socket (daemon and clients)"],
  ['Q3TTS_MODEL_DIR', 'the model directory to load, instead of the active model'],
  [
    'Q3TTS_DATA_DIR',
    'where models are installed and the measured speed is kept (default: the per-user data directory)',
  ],
  [
    'Q3TTS_WATCHDOG_MS',
    'q3tts serve: end the daemon (removing its socket) when its main thread has been frozen this long (default 15000)',
  ],
  ['Q3TTS_START', 'when speech starts if a request does not say: smooth (default), asap, sentence'],
  ['Q3TTS_CONFIG_DIR', 'where the tray app keeps its settings (default: the per-user config directory)'],
  [
    'Q3TTS_ENGINE',
    `${ENGINES.join(', ')}: the model (default), a test engine that beeps and needs no model, or a speech server`,
  ],
  [
    'Q3TTS_PRECISION',
    `${PRECISIONS.join(' or ')}: which graph set of the model to load (default: int4 when installed)`,
  ],
  ['Q3TTS_EXECUTION_PROVIDER', `${EXECUTION_PROVIDERS.join(', ')} (default auto)`],
  ['Q3TTS_THREADS', 'onnxruntime threads'],
  ['Q3TTS_VOCODER_THREAD', '1: decode audio in a worker thread (for machines with cores to spare)'],
  ['Q3TTS_AUDIO', 'auto (PortAudio, then a pw-cat/paplay/aplay pipe), portaudio, pipe or null'],
  ['Q3TTS_AUDIO_DEVICE', "the output device, by name ('q3tts devices' lists them)"],
  ['Q3TTS_HANDLERS', 'a handlers file to use instead of the built one'],
  [
    'Q3TTS_FFMPEG',
    'the ffmpeg that writes .mp3, .ogg/.opus and .flac files and reads reference clips other than WAV (default: ffmpeg on PATH)',
  ],
  ['Q3TTS_REMOTE_URL', 'the remote engine: the speech server to speak through (vLLM-Omni, or a q3tts --http door)'],
  ['Q3TTS_REMOTE_TOKEN', "the remote engine: the speech server's bearer token"],
  [
    'Q3TTS_REMOTE_FAILOVER',
    'the remote engine: auto (default: speak with the local model while the server fails, if one is installed), on, off',
  ],
  ['Q3TTS_REMOTE_TIMEOUTS', 'the remote engine: connect,first-byte,stall in milliseconds (default 5000,60000,15000)'],
  [
    'Q3TTS_REMOTE_RECHECK_MS',
    'the remote engine: how long to stay local after a failure before trying the server again (default 15000)',
  ],
  ['HF_ENDPOINT', "'q3tts models pull': a Hugging Face Hub mirror"],
  ['Q3TTS_CACHE_DIR', 'where the daemon keeps the history of utterances (default: the per-user cache directory)'],
  ['Q3TTS_HISTORY', 'off: keep no history of utterances (nothing is written); default on'],
  ['Q3TTS_HISTORY_MB', 'the most audio the history keeps, in megabytes (default 200; the oldest audio goes first)'],
  ['HF_TOKEN', "'q3tts models pull': a token for gated or private repositories (HUGGING_FACE_HUB_TOKEN is read too)"],
  [
    'Q3TTS_CLONE_MODEL_DIR',
    'the Base model that clones voices and speaks cloned ones next to the active model (default: an installed Base model)',
  ],
];

const table = (rows: ReadonlyArray<readonly [string, string]>, indent: string) => {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, meaning]) => `${indent}${name.padEnd(width)}  ${meaning}`).join('\n');
};

const exits = Object.entries(EXIT).map(
  ([key, code]) => [String(code), EXIT_MEANINGS[key as keyof typeof EXIT]] as const,
);

/** "0 ok, 1 usage or invalid request, …": README's line. */
export const EXIT_LINE = exits.map(([code, meaning]) => `${code} ${meaning}`).join(', ');

export const USAGE = `q3tts — local text-to-speech with Qwen3-TTS

Usage:
  q3tts [options] "text to say"     speak (text may also come on stdin)
  q3tts -o out.wav "text"           save to a file instead of playing (.wav, .mp3, .ogg/.opus, .flac)
  q3tts -o - "text" > out.wav       a WAV file on stdout
  q3tts --raw "text" | aplay -r 24000 -f S16_LE   raw 24 kHz s16le PCM on stdout as it is generated
  q3tts --clipboard                 read the clipboard aloud (bind this to a desktop shortcut)
  q3tts -f notes.md                 read a file: text, Markdown, HTML, PDF or EPUB, as a person would hear it
  q3tts serve                       run the daemon in the foreground (keeps the model loaded)
  q3tts serve --http [HOST:]PORT    … and open the OpenAI-compatible HTTP API (loopback unless HOST says otherwise)
  q3tts serve --wyoming [HOST:]PORT … and open a Wyoming TTS server (Home Assistant)
  q3tts serve --remote URL          speak through a speech server (vLLM-Omni, another q3tts) instead of a local model
  q3tts http token                  the HTTP API's bearer token (required beyond loopback; made on first use)
  q3tts speechd install|uninstall   add (remove) the 'q3tts' speech-dispatcher module for this user (Orca, spd-say)
  q3tts stop                        shut the daemon down
  q3tts status                      daemon state, model, queue, last timings
  q3tts cancel [N]                  silence the current speech and clear the queue (or cancel job N only)
  q3tts pause | resume              hold playback (generation goes on) and carry on
  q3tts next | back                 skip to the next sentence, or hear the previous one again
  q3tts queue                       list what is speaking and waiting
  q3tts reload [model]              re-import the handlers (and with 'model', reload the model)
  q3tts voices                      languages and speakers of the loaded model
  q3tts voices save NAME -i "…" [-l LANG] [--speaker S] [--seed N]   save a voice under a name
  q3tts voices list | remove NAME   the saved voices (speak with one: q3tts -v NAME "text")
  q3tts voices clone NAME --from FILE [--text "…"] [-l LANG]   save a voice cloned from a recording
  q3tts voices lock NAME [--sentence "…"]   make a saved designed voice sound the same in every sentence
  q3tts devices                     audio output devices (choose one with Q3TTS_AUDIO_DEVICE=NAME)
  q3tts decode codes.json -o a.wav  turn saved codec frames back into audio
  q3tts models list|pull|verify|remove|use   manage models ('q3tts help models')
  q3tts help [COMMAND]              this help, or a command's
  q3tts history [play|save|speak|clear N]   the last 50 utterances ('q3tts help history')

Speech options:
  -i, --instruct TEXT     the voice, described in words ("a calm, low male voice")
  -l, --language NAME     English, Chinese, ..., or auto (default)
      --speaker NAME      preset speaker (CustomVoice models)
  -v, --voice NAME        a saved voice ('q3tts voices list'); -i, -l, --speaker, --seed given too win
  -r, --rate X            speaking rate, 0.5 to 2 (1 = normal; the pitch is kept)
      --volume N          volume in percent, 0 to 100 (default 100)
  -o, --output FILE       write a file; its extension picks the format: .wav, .mp3, .ogg/.opus, .flac
                          (all but WAV need ffmpeg); '-o -' writes a WAV to stdout
      --raw               write raw 24 kHz 16-bit mono PCM (s16le) to stdout as it is generated
      --codes-out FILE    also save the codec frames as JSON
      --seed N            same seed, same audio
      --temperature X  --top-k N  --top-p X  --repetition-penalty X  --max-frames N
      --greedy            deterministic decoding (no sampling)
      --interrupt         speak now: cancel what is playing and queued
      --asap              start at the first audio, even if slow machines then pause inside sentences
      --no-wait           return once queued
      --clipboard [--primary]   read the clipboard (or the X11/Wayland primary selection)
  -f, --file FILE         read the text from FILE ('-' = stdin): .md/.markdown and .html/.htm are parsed
                          (headings, lists, links; code blocks are skipped), .pdf (no page headers or numbers)
                          and .epub (chapters in reading order) are read, anything else is plain text.
                          A text over the request limit is spoken as one job in parts (one Ctrl-C stops it)

Engine options (serve, and speaking without a daemon):
      --engine ${ENGINES.join('|')}  --model DIR  --threads N
      --remote URL        serve: the speech server the remote engine speaks through (docs/scale-out.md)
      --provider ${EXECUTION_PROVIDERS.join('|')}
      --precision ${PRECISIONS.join('|')}

General options:
      --json              machine-readable output
  -q, --quiet             no progress messages
      --socket PATH       the daemon's socket (default: Q3TTS_SOCKET or the per-user path)
  -h, --help   -V, --version

Environment:
${table(ENVIRONMENT, '  ')}

Exit codes:
${table(exits, '  ')}
`;

export const MODELS_USAGE = `Usage:
  q3tts models list                          installed and available models, sizes, which is active
  q3tts models pull NAME [--precision ${PRECISIONS.join('|')}]   download from the Hugging Face Hub (resumable, verified)
  q3tts models verify [NAME]                 check installed files against their sizes and sha256
  q3tts models remove NAME [--precision P]   delete an installed model (or an interrupted pull)
  q3tts models use NAME [--precision P]      make it the active model (a running daemon reloads)

Options: --json (machine-readable), -q/--quiet, --socket PATH (for 'use').
Environment: HF_ENDPOINT (a Hub mirror), HF_TOKEN or HUGGING_FACE_HUB_TOKEN (gated or private repositories),
Q3TTS_DATA_DIR (where models are installed), Q3TTS_MODEL_DIR (loaded instead of the active model).
Exit codes: 0 ok, 1 usage, unknown or not installed model, 3 a download, check or daemon reload failed,
130 interrupted (the same pull resumes).
`;

/** Each control command's own help: what it does, and the options it takes beyond the general ones. */
const COMMAND_HELP: Partial<Record<Command, string>> = {
  serve: `Usage: q3tts serve [--engine ${ENGINES.join('|')}] [--model DIR] [--precision ${PRECISIONS.join('|')}] [--provider P] [--threads N]
       q3tts serve --remote URL

Runs the daemon in the foreground: loads the model once (it prints the model, its precision and the load
time), then listens on the socket. Ctrl-C or 'q3tts stop' shuts it down. Exit 5 when a daemon already runs.
--remote URL (or Q3TTS_ENGINE=remote with Q3TTS_REMOTE_URL) speaks through a speech server instead: vLLM-Omni
serving Qwen3-TTS, or another q3tts's --http door; while it fails, an installed local model stands in
(Q3TTS_REMOTE_FAILOVER). See docs/scale-out.md.`,
  stop: `Usage: q3tts stop

Shuts the daemon down (what is speaking is cancelled).`,
  status: `Usage: q3tts status [--json]

The daemon's state, model, queue length, socket, handlers version and the last request's timings.`,
  cancel: `Usage: q3tts cancel [N]

Silences the current speech and clears the queue; with N, cancels only job N ('q3tts queue' lists them).`,
  pause: `Usage: q3tts pause

Holds playback (generation goes on); 'q3tts resume' carries on.`,
  resume: `Usage: q3tts resume

Carries on after 'q3tts pause'.`,
  next: `Usage: q3tts next

Skips the rest of the sentence being read and goes on with the next one; after the last sentence, the next
request in the queue plays. Prints where playback went ("job 3: sentence 2 of 5"), or that nothing is speaking.`,
  back: `Usage: q3tts back

Reads the previous sentence again, as a media player's back button does: within the first 1.5 s of a sentence
it goes to the one before, later it starts the current sentence over. Nothing is generated again.`,
  queue: `Usage: q3tts queue [--json]

What is speaking and waiting: one line per job (job number, state, the start of its text).`,
  reload: `Usage: q3tts reload [model]

Re-imports the request handlers (see docs/handlers.md); with 'model', reloads the model too and says how long it took.`,
  voices: `Usage: q3tts voices [--json]
       q3tts voices save NAME -i "a calm, low voice" [-l LANG] [--speaker S] [--seed N]
       q3tts voices list [--json]
       q3tts voices remove NAME
       q3tts voices clone NAME --from FILE [--text "what the clip says"] [-l LANG]
       q3tts voices lock NAME [--sentence "…"]

Bare 'voices': the languages and preset speakers of the loaded model. 'save' keeps a voice under a name
(saving a name again replaces it; --seed makes it come out the same each time), 'list' shows one saved voice
per line (name, kind, language, speaker, seed, description), 'remove' deletes one. Speak with a saved voice:
q3tts -v NAME "text" (options given as well win over the saved ones). Saved voices live in the settings file
(Q3TTS_CONFIG_DIR), shared with the tray app and offered as voices by the HTTP and Wyoming doors.
Names: up to 40 letters, digits, spaces, '.', '_' or '-'.

'clone' makes a voice from a recording of it (WAV, or MP3, FLAC, Ogg, … through ffmpeg; 1 to 10 s with --text,
up to 30 s without): with --text (what the clip says) the clip itself is kept as an example for every sentence,
which matches the voice more closely. 'lock' turns a designed voice (-i) into a cloned one: the voice says a
reference sentence (--sentence, else one per language), and that recording is then the voice, so a whole
document is read by the same speaker. Both need a Qwen3-TTS Base model installed ('q3tts models pull
qwen3-tts-0.6b-base', or Q3TTS_CLONE_MODEL_DIR); locking needs a VoiceDesign model as well. Kinds in 'list':
designed (a description), cloned (a recording), locked (a design recorded once).`,
  devices: `Usage: q3tts devices [--json]

Audio output devices; play on one with Q3TTS_AUDIO_DEVICE=NAME.`,
  history: `Usage: q3tts history [list] [--json]
       q3tts history play N          play entry N's audio again (queued like speech; --interrupt, --no-wait)
       q3tts history save N FILE     write entry N's audio to FILE (.wav, .mp3, .ogg/.opus, .flac)
       q3tts history speak N         say entry N's text again in its voice (its audio may be gone)
       q3tts history clear [N]       forget entry N, or everything (the audio files too)

The daemon keeps the last 50 utterances (text, voice, language, time, duration, job, which front end) in
<cache>/history/index.json and their audio under a 200 MB cap (Q3TTS_HISTORY_MB; the oldest audio goes first).
Q3TTS_HISTORY=off keeps nothing.`,
  decode: `Usage: q3tts decode CODES.json -o FILE

Turns codec frames saved with --codes-out back into audio (the extension of FILE picks the format).`,
};

const GENERAL = `\nGeneral options: --json (machine-readable output), -q/--quiet, --socket PATH. All of q3tts: 'q3tts --help'.\n`;

/** The help a command's --help (or `q3tts help COMMAND`) prints. */
export function helpFor(command: Command): string {
  if (command === 'models') return MODELS_USAGE;
  const own = COMMAND_HELP[command];
  return own ? `${own}\n${GENERAL}` : USAGE;
}

/** Where a usage error points the user. */
export function helpHint(command: Command | undefined): string {
  return command && command !== 'speak' && command !== 'help' ? `Try 'q3tts help ${command}'.` : `Try 'q3tts --help'.`;
}
