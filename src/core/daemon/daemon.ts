// Composition of the headless daemon: socket checks, engine host, core, server. `q3tts serve` and the
// tray app both start it through startDaemon(); the CLI's in-process fallback uses createCore() alone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../shared/engine.js';
import { openPlaybackSink } from '../audio/select.js';
import { openOutputFile } from '../audio/output-file.js';
import type { EngineConfig } from '../engine/config.js';
import { loadEngine } from '../engine/load.js';
import { spawnEngine, type HostLauncher } from '../engine/remote.js';
import { writeFileAtomic } from '../atomic-file.js';
import { openDoors, type DoorsConfig, type OpenDoors } from '../doors/open.js';
import { DaemonCore, type AudioOutputs } from './core.js';
import { SocketServer, prepareSocketPath } from './server.js';
import { START_POLICIES, type StartPolicy } from '../playback/start-rule.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

export interface DaemonOptions {
  socketPath: string;
  engine: EngineConfig;
  /** The hot-reloaded handlers file (default: Q3TTS_HANDLERS, else the built one beside this code). */
  handlersFile?: string;
  /** Run the engine in this process instead of a host process (the CLI fallback; tests). */
  inProcessEngine?: boolean;
  /** Diagnostics (stderr by default). */
  log?: (message: string) => void;
  /** The two lines a user waits for: "model loaded", "listening on …" (stdout by default). */
  announce?: (line: string) => void;
  audio?: AudioOutputs;
  /** The output device to play on (a PortAudio device name; null = Q3TTS_AUDIO_DEVICE or the system default). */
  audioDevice?: () => string | null;
  /** How the engine host process is started (default: Node's fork; the Electron app passes utilityProcess). */
  launchHost?: HostLauncher;
  /** End the process when its thread is frozen this long (watchdog.ts; `q3tts serve` sets it; default off). */
  watchdogMs?: number;
  /** How long handlers may take to answer, queue and engine waits aside (default 30 s; handler-guard.ts). */
  handlerTimeoutMs?: number;
  /** The settings file that holds the saved voices (default: the per-user one, decision 0026). */
  settingsFile?: string;
  /** How often to check that the socket file still exists (default 2000 ms; 0: never). */
  socketCheckMs?: number;
  /** Front doors to open once the socket listens (docs/doors.md); none by default. */
  doors?: DoorsConfig;
}

export interface RunningDaemon {
  core: DaemonCore;
  socketPath: string;
  /** Cancels speech (answering waiting clients), closes the socket (removing it), releases the engine. */
  close(): Promise<void>;
  /** Resolves once a client has asked the daemon to stop and it has shut down. */
  stopped: Promise<void>;
}

export function defaultHandlersFile(): string {
  if (process.env.Q3TTS_HANDLERS) return process.env.Q3TTS_HANDLERS;
  const beside = fileURLToPath(new URL('../daemon/handlers.mjs', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../../out/daemon/handlers.mjs', import.meta.url));
}

/** Speakers (through `device()`'s choice, read at each utterance so a settings change applies) and files. */
export function defaultAudio(device: () => string | null = () => null): AudioOutputs {
  return {
    openPlayback: () => {
      const chosen = device();
      return openPlaybackSink(chosen ? { device: chosen } : {});
    },
    openFile: async (file) => openOutputFile(file),
    writeFileAtomic,
  };
}

export function createCore(
  options: Omit<DaemonOptions, 'socketPath'> & { socketPath?: string; onStop?: () => void },
): DaemonCore {
  let engineConfig = options.engine; // models_use retargets it
  const log = options.log ?? ((m: string) => console.error(m));
  const load = (): Promise<Engine> =>
    // A speech server is only waited on, so the remote engine lives here; its local stand-in gets a host process.
    options.inProcessEngine || engineConfig.kind === 'remote'
      ? loadEngine(engineConfig, {
          log,
          onRemoteChange: () => core.engineChanged(),
          ...(options.inProcessEngine
            ? {}
            : { loadLocal: (c) => spawnEngine(c, options.launchHost ? { launch: options.launchHost } : {}) }),
        })
      : spawnEngine(engineConfig, {
          onExit: (reason) => core.engineDied(reason),
          ...(options.launchHost ? { launch: options.launchHost } : {}),
        });
  const core: DaemonCore = new DaemonCore({
    handlersFile: options.handlersFile ?? defaultHandlersFile(),
    audio: options.audio ?? defaultAudio(options.audioDevice),
    loadEngine: load,
    ...(options.socketPath ? { socketPath: options.socketPath } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.onStop ? { onStop: options.onStop } : {}),
    ...startPolicyFromEnv(options.log ?? ((m) => console.error(m))),
    ...(options.handlerTimeoutMs ? { handlerTimeoutMs: options.handlerTimeoutMs } : {}),
    ...(options.settingsFile ? { settingsFile: options.settingsFile } : {}),
    selectModel: (modelDir, precision) => {
      if (engineConfig.kind !== 'qwen3') return false;
      const { precision: _old, ...rest } = engineConfig;
      engineConfig = { ...rest, modelDir, ...(precision ? { precision } : {}) };
      return true;
    },
  });
  return core;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const announce = options.announce ?? ((line: string) => console.log(line));
  // Refuse early, before spending seconds on the model, when another daemon owns the socket.
  await prepareSocketPath(options.socketPath);

  let signalStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (signalStopped = resolve));
  let closing: Promise<void> | undefined;
  let doors: OpenDoors | undefined;
  const core = createCore({ ...options, onStop: () => void close().then(signalStopped) });
  const server = new SocketServer(
    options.socketPath,
    (request, emit) => core.request(request, emit),
    options.log ? { log: options.log } : {},
  );

  let watchdog: Watchdog | undefined;
  let socketCheck: NodeJS.Timeout | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(socketCheck);
      await doors?.close();
      await core.close();
      await new Promise((r) => setImmediate(r)); // let the cancelled clients' answers go out first
      await server.close();
      await watchdog?.stop(); // last: a handler can still freeze the thread while we shut down
    })();
    return closing;
  }

  const loadStart = performance.now();
  let engine: Engine;
  try {
    engine = await core.ensureEngine();
  } catch (err) {
    await core.close();
    throw err;
  }
  announce(`model loaded: ${engine.info.model} in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
  await server.listen();
  if (options.watchdogMs) watchdog = startWatchdog(options.watchdogMs, options.socketPath);
  // A daemon whose socket was deleted can never be reached again: say so and stop, rather than run on unseen.
  const checkMs = options.socketCheckMs ?? 2000;
  if (checkMs > 0) {
    socketCheck = setInterval(() => {
      if (server.socketFileIsOurs() || closing) return;
      (options.log ?? console.error)(
        `the socket ${options.socketPath} was deleted or replaced: no client can reach this daemon any more; shutting down`,
      );
      void close().then(signalStopped);
    }, checkMs);
    socketCheck.unref();
  }
  announce(`listening on ${options.socketPath}`);
  if (options.doors) {
    try {
      doors = await openDoors(core, options.doors, options.log ?? ((m) => console.error(m)));
    } catch (err) {
      await close();
      throw err;
    }
    for (const line of doors.lines) announce(line);
  }
  return { core, socketPath: options.socketPath, close, stopped };
}

/** Q3TTS_START: the daemon's default start policy (docs/decisions/0014-playback-start-rule.md). */
function startPolicyFromEnv(log: (message: string) => void): { startPolicy?: StartPolicy } {
  const value = process.env.Q3TTS_START;
  if (!value) return {};
  if (START_POLICIES.includes(value as StartPolicy)) return { startPolicy: value as StartPolicy };
  log(`Q3TTS_START='${value}' is not one of ${START_POLICIES.join(', ')}; using smooth`);
  return {};
}
