// A speech-dispatcher output module (`q3tts speechd-module`): speaks speech-dispatcher's module protocol on
// stdin/stdout and forwards to the daemon over its socket, so Orca and spd-say use the model the daemon already
// holds. The daemon plays the audio; STOP cancels the request there. Line-driven and transport-free, so
// every line the server may send can be tested (and fuzzed) without a process.
import type { Answer, EventMessage, Request } from '../../shared/protocol.js';
import { errorMessage } from '../../shared/errors.js';

/** What the module needs from the daemon: one request with its events (a DaemonConnection). */
export interface ModuleBackend {
  request(request: Request, onEvent?: (event: EventMessage) => void): Promise<Answer>;
}

/** Qwen3-TTS's languages by the ISO 639-1 codes speech-dispatcher uses. */
const LANGUAGE_CODES: Record<string, string> = {
  zh: 'Chinese',
  en: 'English',
  ja: 'Japanese',
  ko: 'Korean',
  de: 'German',
  fr: 'French',
  ru: 'Russian',
  pt: 'Portuguese',
  es: 'Spanish',
  it: 'Italian',
};

const MAX_TEXT_BYTES = 1024 * 1024;

type Block = { kind: 'speak' | 'char' | 'key' | 'icon' | 'params'; lines: string[]; reply: string; size: number };

export class SpeechdModule {
  private block: Block | undefined;
  private settings: { language?: string; voice?: string | undefined; rate?: number } = {};
  private current: { id: string; stopping: 'stop' | 'pause' | undefined } | undefined;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<ModuleBackend>,
    private readonly out: (text: string) => void,
    private readonly log: (message: string) => void = () => undefined,
    private readonly onQuit: () => void = () => undefined,
  ) {}

  private backend: Promise<ModuleBackend> | undefined;

  /** One line from the server (without its newline). */
  async line(raw: string): Promise<void> {
    if (this.closed) return;
    if (this.block) return this.blockLine(raw);
    switch (raw) {
      case 'INIT':
        return this.init();
      case 'SPEAK':
        return this.startBlock('speak', '202 OK RECEIVING MESSAGE');
      case 'CHAR':
        return this.startBlock('char', '202 OK RECEIVING MESSAGE');
      case 'KEY':
        return this.startBlock('key', '202 OK RECEIVING MESSAGE');
      case 'SOUND_ICON':
        return this.startBlock('icon', '202 OK RECEIVING MESSAGE');
      case 'SET':
        return this.startBlock('params', '207 OK RECEIVING SETTINGS', '203 OK SETTINGS RECEIVED');
      case 'AUDIO':
        return this.startBlock('params', '207 OK RECEIVING AUDIO SETTINGS', '203 OK AUDIO INITIALIZED');
      case 'LOGLEVEL':
        return this.startBlock('params', '207 OK RECEIVING LOGLEVEL SETTINGS', '203 OK LOGLEVEL SET');
      case 'STOP':
        return this.stop('stop');
      case 'PAUSE':
        return this.stop('pause');
      case 'LIST VOICES':
        return this.listVoices();
      case 'QUIT':
        this.closed = true;
        await this.stop('stop');
        this.out('210 OK QUIT\n');
        return this.onQuit();
    }
    if (raw.startsWith('DEBUG ')) return this.out(`200 OK DEBUGGING ${raw.split(' ')[1] === 'ON' ? 'ON' : 'OFF'}\n`);
    this.out('300 ERR UNKNOWN COMMAND\n');
  }

  private daemon(): Promise<ModuleBackend> {
    this.backend ??= this.connect().catch((err: unknown) => {
      this.backend = undefined; // try again at the next request
      throw err;
    });
    return this.backend;
  }

  private async init(): Promise<void> {
    try {
      const d = await this.daemon();
      const answer = await d.request({ action: 'ping' });
      if (answer.status === 'error') throw new Error(answer.message);
      this.out('299-q3tts: connected to the daemon\n299 OK LOADED SUCCESSFULLY\n');
    } catch (err) {
      this.out(
        `399-q3tts: ${oneLine(errorMessage(err))} (start it with 'q3tts serve' or the tray app)\n399 ERR CANT INIT MODULE\n`,
      );
    }
  }

  private startBlock(kind: Block['kind'], first: string, reply = ''): void {
    this.block = { kind, lines: [], reply, size: 0 };
    this.out(`${first}\n`);
  }

  private async blockLine(raw: string): Promise<void> {
    const block = this.block!;
    if (raw !== '.') {
      block.size += raw.length + 1;
      if (block.size <= MAX_TEXT_BYTES) block.lines.push(raw.startsWith('.') ? raw.slice(1) : raw); // ".." escapes a leading dot
      return;
    }
    this.block = undefined;
    if (block.size > MAX_TEXT_BYTES)
      return this.out(block.kind === 'params' ? '303 ERROR INVALID PARAMETER OR VALUE\n' : '301 ERROR CANT SPEAK\n');
    if (block.kind === 'params') return this.params(block);
    const text = block.kind === 'speak' ? plainText(block.lines.join('\n')) : block.lines.join(' ');
    if (block.kind === 'icon' || !text.trim()) return this.out('301 ERROR CANT SPEAK\n'); // no sound icons here
    if (block.kind !== 'speak' && block.lines.length > 1) return this.out('305 DATA MORE THAN ONE LINE\n');
    return this.speak(block.kind === 'char' && text === 'space' ? ' ' : text);
  }

  private params(block: Block): void {
    let bad = false;
    for (const line of block.lines) {
      const eq = line.indexOf('=');
      if (eq <= 0 || eq === line.length - 1) {
        bad = true;
        continue;
      }
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (block.reply.includes('SETTINGS RECEIVED')) {
        if (key === 'language') this.settings.language = value;
        else if (key === 'synthesis_voice') this.settings.voice = value === 'NULL' ? undefined : value;
        else if (key === 'rate' && Number.isFinite(Number(value)))
          this.settings.rate = Math.max(-100, Math.min(100, Number(value)));
        // pitch, volume, punctuation…: the model has no controls for them; accepted and ignored.
      }
    }
    this.out(bad ? '302 ERROR BAD SYNTAX\n' : `${block.reply}\n`);
  }

  private async speak(text: string): Promise<void> {
    let d: ModuleBackend;
    try {
      d = await this.daemon();
    } catch (err) {
      this.log(`cannot reach the daemon: ${errorMessage(err)}`);
      return this.out('301 ERROR CANT SPEAK\n');
    }
    const id = `speechd-${process.pid}-${this.nextId++}`;
    const job: NonNullable<SpeechdModule['current']> = { id, stopping: undefined };
    this.current = job;
    this.out('200 OK SPEAKING\n');
    const request: Request = {
      action: 'generate',
      id,
      text,
      events: true,
      source: 'speechd',
      ...this.voiceFields(await this.voices(d), await savedVoiceNames(d)),
    };
    let begun = false;
    const begin = () => {
      if (!begun) this.out('701 BEGIN\n');
      begun = true;
    };
    void d
      .request(request, (e) => {
        if (e.event === 'started') begin();
      })
      .then(
        (answer) => {
          if (this.current === job) this.current = undefined;
          if (answer.status === 'error' && answer.code !== 'E_CANCELLED') this.log(`speech failed: ${answer.message}`);
          begin();
          if (job.stopping === 'pause') this.out('704 PAUSE\n');
          else if (job.stopping || (answer.status === 'error' && answer.code === 'E_CANCELLED')) this.out('703 STOP\n');
          else this.out('702 END\n');
        },
        (err: unknown) => {
          if (this.current === job) this.current = undefined;
          this.backend = undefined; // the connection is gone: reconnect next time
          this.log(`lost the daemon: ${errorMessage(err)}`);
          begin();
          this.out('703 STOP\n');
        },
      );
  }

  /** STOP and PAUSE: cancel the utterance in the daemon (a pause resumes from the start of the message). */
  private async stop(kind: 'stop' | 'pause'): Promise<void> {
    const job = this.current;
    if (!job || job.stopping) return;
    job.stopping = kind;
    try {
      await (await this.daemon()).request({ action: 'cancel', target: job.id });
    } catch (err) {
      this.log(`cannot cancel: ${errorMessage(err)}`);
    }
  }

  private languagesCache: { languages: string[]; speakers: string[] } | undefined;

  private async voices(d: ModuleBackend): Promise<{ languages: string[]; speakers: string[] }> {
    if (this.languagesCache) return this.languagesCache;
    const answer = await d.request({ action: 'voices' }).catch(() => undefined);
    if (answer?.status !== 'ok') return { languages: [], speakers: [] };
    this.languagesCache = { languages: answer.languages as string[], speakers: answer.speakers as string[] };
    return this.languagesCache;
  }

  /** The language and speaker fields for the daemon, from speech-dispatcher's settings. */
  private voiceFields(
    model: { languages: string[]; speakers: string[] },
    saved: string[] = [],
  ): Record<string, string | number> {
    const fields: Record<string, string | number> = {};
    // speech-dispatcher's rate -100..100 → speed 0.25..4 (0 = 1, each 50 doubles or halves it)
    if (this.settings.rate) fields.speed = Math.round(2 ** (this.settings.rate / 50) * 1000) / 1000;
    const code = this.settings.language?.toLowerCase().split(/[-_]/)[0];
    const name = code ? LANGUAGE_CODES[code] : undefined;
    if (name && model.languages.some((l) => l.toLowerCase() === name.toLowerCase())) fields.language = name;
    const voice = this.settings.voice;
    // a saved voice (decision 0026) by its name; the screen reader's language still wins over the voice's
    const preset = voice ? saved.find((s) => s.toLowerCase() === voice.toLowerCase()) : undefined;
    if (preset) fields.voice = preset;
    const speaker = voice && !preset ? model.speakers.find((s) => s.toLowerCase() === voice.toLowerCase()) : undefined;
    if (speaker) fields.speaker = speaker;
    return fields;
  }

  private async listVoices(): Promise<void> {
    let model: { languages: string[]; speakers: string[] };
    let saved: string[];
    try {
      const d = await this.daemon();
      model = await this.voices(d);
      saved = await savedVoiceNames(d);
    } catch {
      return this.out('304 CANT LIST VOICES\n');
    }
    const codes = Object.entries(LANGUAGE_CODES)
      .filter(([, name]) => model.languages.some((l) => l.toLowerCase() === name.toLowerCase()))
      .map(([code]) => code);
    if (!codes.length) return this.out('304 CANT LIST VOICES\n');
    const lines = ['default', ...model.speakers, ...saved].flatMap((voice) =>
      codes.map((code) => `200-${oneLine(voice)}\t${code}\tnone\n`),
    );
    this.out(`${lines.join('')}200 OK VOICE LIST SENT\n`);
  }
}

/** The saved voices' names (read each time: they change while the module runs); none if unavailable. */
async function savedVoiceNames(d: ModuleBackend): Promise<string[]> {
  const answer = await d.request({ action: 'voices_list' }).catch(() => undefined);
  if (answer?.status !== 'ok' || !Array.isArray(answer.voices)) return [];
  return (answer.voices as Array<{ name?: unknown }>).flatMap((v) => (typeof v.name === 'string' ? [v.name] : []));
}

/** speech-dispatcher may send SSML: the words without the markup. */
export function plainText(text: string): string {
  if (!/<[a-zA-Z/?!]/.test(text)) return text;
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .trim();
}

const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ');
