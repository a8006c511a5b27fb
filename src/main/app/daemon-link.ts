// The app's two ways to a daemon: start one in this process (host) or connect to `q3tts serve` (attach).
// Both end as a SpeechService; the composition root picks one with planDaemon().
import { DaemonConnection, DaemonUnreachable } from '../../core/client.js';
import type { EngineConfig } from '../../core/engine/config.js';
import { startDaemon, type RunningDaemon } from '../../core/daemon/daemon.js';
import type { DoorsConfig } from '../../core/doors/open.js';
import type { HostLauncher } from '../../core/engine/remote.js';
import { classifyProbe, type SocketProbe } from './attach.js';
import { daemonSpeechService } from './daemon-speech.js';
import type { SpeechService } from './speech.js';
import type { Settings } from '../../shared/settings.js';

export async function probeDaemon(socketPath: string, timeoutMs = 1500): Promise<SocketProbe> {
  let connection: DaemonConnection;
  try {
    connection = await DaemonConnection.connect(socketPath, timeoutMs);
  } catch (err) {
    return classifyProbe({ error: err instanceof DaemonUnreachable ? err.code : 'OTHER' });
  }
  try {
    const answer = await Promise.race([
      connection.request({ action: 'ping' }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref()),
    ]);
    return classifyProbe({ answer });
  } catch {
    return 'foreign';
  } finally {
    connection.close();
  }
}

export interface AttachedDaemon {
  speech: SpeechService;
  /** Resolves when the daemon stops answering (it was stopped or died): time to host one ourselves. */
  ended: Promise<{ reason: string }>;
}

export async function attachToDaemon(socketPath: string, options: { pingMs?: number } = {}): Promise<AttachedDaemon> {
  const connection = await DaemonConnection.connect(socketPath);
  let timer: ReturnType<typeof setInterval> | undefined;
  const ended = new Promise<{ reason: string }>((resolve) => {
    timer = setInterval(() => {
      connection.request({ action: 'ping' }).catch((err: Error) => {
        clearInterval(timer);
        resolve({ reason: `the q3tts daemon went away (${err.message})` });
      });
    }, options.pingMs ?? 2000);
    timer.unref?.();
  });
  const speech = daemonSpeechService(
    {
      request: connection.request.bind(connection),
      close: () => {
        clearInterval(timer);
        connection.close();
      },
    },
    { mode: 'attached' },
  );
  return { speech, ended };
}

export interface HostedDaemon {
  speech: SpeechService;
  daemon: RunningDaemon;
}

/** The hosted daemon's front doors from the settings (closed unless set); the HTTP token lives in configDir. */
export function doorsOf(
  settings: Pick<Settings, 'httpDoor' | 'wyomingDoor'>,
  configDir: string,
): { doors?: DoorsConfig } {
  if (!settings.httpDoor && !settings.wyomingDoor) return {};
  return { doors: { http: settings.httpDoor, wyoming: settings.wyomingDoor, configDir } };
}

/** Starts the daemon (socket server + engine host process) inside this app. */
export async function hostDaemon(options: {
  socketPath: string;
  engine: EngineConfig;
  log?: (m: string) => void;
  launchHost?: HostLauncher;
  /** The output device to play on, read at each utterance (the setting may change). */
  audioDevice?: () => string | null;
  /** Front doors to open (docs/doors.md); none by default. */
  doors?: DoorsConfig;
  /** The app's settings file, where the daemon keeps the saved voices (decision 0026). */
  settingsFile?: string;
}): Promise<HostedDaemon> {
  const log = options.log ?? ((m: string) => console.error(m));
  const daemon = await startDaemon({
    socketPath: options.socketPath,
    engine: options.engine,
    log,
    announce: log,
    ...(options.launchHost ? { launchHost: options.launchHost } : {}),
    ...(options.audioDevice ? { audioDevice: options.audioDevice } : {}),
    ...(options.doors ? { doors: options.doors } : {}),
    ...(options.settingsFile ? { settingsFile: options.settingsFile } : {}),
  });
  const { core } = daemon;
  const speech = daemonSpeechService(
    {
      request: core.request.bind(core),
      onState: (listener) => core.onState(() => listener()),
      close: () => daemon.close(),
    },
    { mode: 'host' },
  );
  return { speech, daemon };
}
