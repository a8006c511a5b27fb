// The Wyoming door (docs/doors.md): Home Assistant and other Wyoming clients reach the daemon's model over TCP.
// describe → info; synthesize → audio-start, audio-chunk…, audio-stop; the streaming form (synthesize-start,
// synthesize-chunk…, synthesize-stop) speaks sentence by sentence as text arrives. A thin adapter: each
// sentence is one `generate` request whose audio streams back as audio-chunk events (decision 0017).
import net from 'node:net';
import type { OkAnswerOf } from '../../shared/actions.js';
import { errorMessage } from '../../shared/errors.js';
import type { Answer, Request } from '../../shared/protocol.js';
import type { DaemonCore } from '../daemon/core.js';
import { isLoopbackHost } from '../../shared/listen-address.js';
import { formatHostPort, listenOn } from './address.js';
import { SentenceSplitter } from './sentences.js';
import { PcmStreamSink } from './stream-sink.js';
import { DEFAULT_VOICE, resolveVoice, savedVoices, voiceFields, voiceNames } from './voices.js';
import type { VoicePreset } from '../../shared/voice-presets.js';
import { WyomingDecoder, encodeEvent, type WyomingEvent } from './wyoming-events.js';

export interface WyomingDoorOptions {
  host: string;
  port: number;
  log?: (message: string) => void;
}

export interface OpenWyomingDoor {
  /** e.g. "tcp://127.0.0.1:10200" */
  address: string;
  port: number;
  close(): Promise<void>;
}

const AUDIO = { rate: 24000, width: 2, channels: 1 };
const ATTRIBUTION = { name: 'Qwen3-TTS (Alibaba Qwen team) via q3tts', url: 'https://github.com/QwenLM/Qwen3-TTS' };

interface VoiceChoice {
  name?: string;
  language?: string;
  speaker?: string;
}

export async function openWyomingDoor(core: DaemonCore, options: WyomingDoorOptions): Promise<OpenWyomingDoor> {
  if (!isLoopbackHost(options.host)) {
    // Wyoming has no authentication: beyond loopback anyone on the network may use the model. Allowed, but said.
    options.log?.(
      `wyoming door on ${options.host}: reachable from other machines, without authentication (the protocol has none)`,
    );
  }
  const log = options.log ?? (() => undefined);
  let nextId = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket);
  });

  function serveConnection(socket: net.Socket): void {
    const decoder = new WyomingDecoder();
    const mine = new Set<string>(); // this connection's request ids, cancelled when it goes away
    let stream:
      | { voice: VoiceChoice; splitter: SentenceSplitter; spoken: Promise<void>; started: boolean; failed: boolean }
      | undefined;
    let work: Promise<void> = Promise.resolve(); // events are handled one after another, in order

    const send = (type: string, data: Record<string, unknown> = {}, payload?: Buffer) => {
      if (!socket.destroyed) socket.write(encodeEvent(type, data, payload));
    };
    const fail = (text: string, code = 'error') => send('error', { text, code });

    socket.setNoDelay(true);
    socket.on('error', () => undefined); // a reset by the client ends the connection; nothing to report
    socket.on('close', () => {
      for (const id of mine) void core.request({ action: 'cancel', target: id });
    });
    socket.on('data', (bytes: Buffer) => {
      let events: WyomingEvent[];
      try {
        events = decoder.push(bytes);
      } catch (err) {
        fail(errorMessage(err), 'bad-event');
        socket.end(); // the byte stream cannot be re-synchronised
        return;
      }
      for (const event of events) {
        work = work
          .then(() => handle(event))
          .catch((err: unknown) => {
            log(`wyoming door: ${errorMessage(err)}`);
            fail(`internal error: ${errorMessage(err)}`, 'internal');
          });
      }
    });

    /** Speaks one text into this connection; resolves with the daemon's answer when it has been spoken. */
    const speak = (
      text: string,
      voice: VoiceChoice,
      speakers: string[],
      onStart: () => void,
      saved: readonly VoicePreset[] = [],
    ): Promise<Answer> | Answer => {
      const chosen = resolveVoice({ speakers }, voice.name ?? voice.speaker, saved);
      if ('error' in chosen) return { status: 'error', code: 'E_INVALID', message: chosen.error };
      const id = `wyoming-${++nextId}`;
      mine.add(id);
      const sink = new PcmStreamSink({
        start: onStart,
        chunk: (pcm, f) => send('audio-chunk', { rate: f.sampleRate, width: 2, channels: 1 }, pcm),
      });
      const request: Request = {
        action: 'generate',
        id,
        text,
        ...(voice.language ? { language: voice.language } : {}),
        ...voiceFields(chosen),
      };
      return core.request(request, undefined, { stream: sink }).finally(() => mine.delete(id));
    };

    async function info(): Promise<OkAnswerOf<'voices'> | undefined> {
      const answer = await core.request({ action: 'voices' });
      if (answer.status === 'error') {
        fail(
          core.state === 'loading' ? 'the model is loading; try again in a moment' : answer.message,
          core.state === 'loading' ? 'model-loading' : answer.code,
        );
        return undefined;
      }
      return answer;
    }

    async function handle(event: WyomingEvent): Promise<void> {
      switch (event.type) {
        case 'describe':
          return describe();
        case 'ping':
          return send('pong', typeof event.data.text === 'string' ? { text: event.data.text } : {});
        case 'synthesize':
          if (stream) return; // sent beside synthesize-start for older servers: the stream carries the text
          return synthesize(event.data);
        case 'synthesize-start':
          return startStream(event.data);
        case 'synthesize-chunk':
          return streamChunk(event.data);
        case 'synthesize-stop':
          return stopStream();
        default:
          return fail(
            `unknown event type '${event.type}' (this TTS server takes describe, synthesize, synthesize-start/-chunk/-stop, ping)`,
            'unknown-event',
          );
      }
    }

    async function describe(): Promise<void> {
      const model = await info();
      if (!model) return;
      const saved = await savedVoices(core, log);
      const languages = model.languages.filter((l) => l.toLowerCase() !== 'auto');
      const voices = voiceNames(model, saved).map((name) => {
        const preset = saved.find((p) => p.name === name);
        return {
          name,
          description: preset
            ? `saved voice: ${preset.clone && !preset.clone.locked ? 'cloned from a recording' : preset.instruct || "the model's own voice"}`
            : name === DEFAULT_VOICE
              ? `${model.model}: the model's own voice`
              : `${model.model}: preset speaker ${name}`,
          attribution: ATTRIBUTION,
          installed: true,
          version: null,
          // a saved voice in one language offers that one (Home Assistant filters voices by language)
          languages: preset && preset.language.toLowerCase() !== 'auto' ? [preset.language] : languages,
          speakers: null,
        };
      });
      send('info', {
        asr: [],
        tts: [
          {
            name: 'q3tts',
            description: `q3tts: ${model.model}`,
            attribution: ATTRIBUTION,
            installed: true,
            version: '0.1.0',
            voices,
            supports_synthesize_streaming: true,
          },
        ],
        handle: [],
        intent: [],
        wake: [],
      });
    }

    async function synthesize(data: Record<string, unknown>): Promise<void> {
      if (typeof data.text !== 'string') return fail(`synthesize needs "text" (a string)`, 'invalid');
      const voice = voiceOf(data.voice);
      if ('error' in voice) return fail(voice.error, 'invalid');
      const model = await info();
      if (!model) return;
      let started = false;
      const saved = await savedVoices(core, log);
      const answer = await speak(
        data.text,
        voice,
        model.speakers,
        () => {
          if (!started) send('audio-start', AUDIO);
          started = true;
        },
        saved,
      );
      if (answer.status === 'error') return fail(answer.message, answer.code);
      if (!started) send('audio-start', AUDIO);
      send('audio-stop');
    }

    async function startStream(data: Record<string, unknown>): Promise<void> {
      const voice = voiceOf(data.voice);
      if ('error' in voice) return fail(voice.error, 'invalid');
      stream = { voice, splitter: new SentenceSplitter(), spoken: Promise.resolve(), started: false, failed: false };
    }

    async function streamChunk(data: Record<string, unknown>): Promise<void> {
      if (!stream) return fail('synthesize-chunk without synthesize-start', 'invalid');
      if (typeof data.text !== 'string') return fail(`synthesize-chunk needs "text" (a string)`, 'invalid');
      for (const sentence of stream.splitter.push(data.text)) await queueSentence(stream, sentence);
    }

    async function stopStream(): Promise<void> {
      if (!stream) return fail('synthesize-stop without synthesize-start', 'invalid');
      const s = stream;
      const rest = s.splitter.finish();
      if (rest) await queueSentence(s, rest);
      await s.spoken;
      stream = undefined;
      if (!s.failed) {
        if (!s.started) send('audio-start', AUDIO);
        send('audio-stop');
      }
      send('synthesize-stopped');
    }

    /** Queues a sentence at once (so the daemon works ahead) and chains its end after the previous one's. */
    async function queueSentence(s: NonNullable<typeof stream>, sentence: string): Promise<void> {
      if (s.failed) return; // the stream has already said why it failed; the rest would be a fragment
      const model = await info();
      if (!model) {
        s.failed = true;
        return;
      }
      const saved = await savedVoices(core, log);
      const answer = speak(
        sentence,
        s.voice,
        model.speakers,
        () => {
          if (!s.started) send('audio-start', AUDIO);
          s.started = true;
        },
        saved,
      );
      s.spoken = s.spoken.then(async () => {
        const a = await answer;
        if (a.status === 'error' && !s.failed) {
          s.failed = true;
          fail(a.message, a.code);
          for (const id of mine) void core.request({ action: 'cancel', target: id }); // the rest would be a fragment
        }
      });
    }
  }

  const port = await listenOn(server, options.port, options.host);
  const address = `tcp://${formatHostPort(options.host, port)}`;
  const forget = core.addDoor({ door: 'wyoming', address, auth: false });
  return {
    address,
    port,
    close: async () => {
      forget();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The optional "voice" of synthesize / synthesize-start, checked. */
function voiceOf(value: unknown): VoiceChoice | { error: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    return { error: `"voice" must be an object ({"name", "language", "speaker"})` };
  const v = value as Record<string, unknown>;
  const out: VoiceChoice = {};
  for (const key of ['name', 'language', 'speaker'] as const) {
    if (v[key] === undefined || v[key] === null) continue;
    if (typeof v[key] !== 'string') return { error: `"voice.${key}" must be a string` };
    out[key] = v[key];
  }
  return out;
}
