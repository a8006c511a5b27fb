// The app's daemon, kept alive by a Supervisor: attach to `q3tts serve` if one runs, else host one (its
// engine in a utilityProcess), restarting it with backoff. Its lifecycle goes to the controller.
import { planDaemon } from '../app/attach.js';
import type { AppController } from '../app/controller.js';
import { attachToDaemon, doorsOf, hostDaemon, probeDaemon } from '../app/daemon-link.js';
import type { SettingsRepo } from '../app/settings-repo.js';
import type { SpeechService } from '../app/speech.js';
import { Supervisor, type Supervised } from '../app/supervisor.js';
import { hostedEngineConfig, type ServerTokenFile } from '../app/speech-server.js';
import { currentPathEnv } from '../../core/paths.js';
import { configDir } from '../../shared/paths.js';
import { utilityProcessHost } from './engine-process.js';

export type RunningDaemon = Supervised & { speech: SpeechService };

export interface DaemonDeps {
  socketPath: string;
  settings: Pick<SettingsRepo, 'get'> & Partial<Pick<SettingsRepo, 'path'>>;
  /** The speech server's token (Settings → Use a speech server). */
  serverToken?: Pick<ServerTokenFile, 'read'>;
  controller: Pick<AppController, 'setStarting' | 'setService' | 'setFailed'>;
  log(message: string): void;
  /** A client stopped the daemon this app hosts (`q3tts stop`): the app stops with it. */
  onStoppedByClient(): void;
}

export function superviseDaemon(deps: DaemonDeps): Supervisor<RunningDaemon> {
  const { socketPath, settings, controller, log } = deps;
  return new Supervisor<RunningDaemon>({
    spawn: async () => {
      const plan = planDaemon(await probeDaemon(socketPath), socketPath);
      if (plan.note) log(plan.note);
      if (plan.mode === 'refuse') throw Object.assign(new Error(plan.note), { code: 'E_SOCKET_TAKEN' });
      if (plan.mode === 'attach') {
        const attached = await attachToDaemon(socketPath);
        return { speech: attached.speech, ended: attached.ended, stop: () => attached.speech.close() };
      }
      const s = settings.get();
      const engine = hostedEngineConfig(currentPathEnv(), s, deps.serverToken?.read() ?? null);
      // The engine runs in a utilityProcess: it works with the runAsNode fuse off (packaged builds).
      const hosted = await hostDaemon({
        socketPath,
        engine,
        log,
        launchHost: utilityProcessHost,
        audioDevice: () => settings.get().outputDevice,
        ...(settings.path ? { settingsFile: settings.path } : {}), // saved voices: the app's settings file
        ...doorsOf(s, configDir(currentPathEnv())),
      });
      const ended = hosted.daemon.stopped.then(() => ({ reason: 'stopped by a client (q3tts stop)' }));
      void hosted.daemon.stopped.then(deps.onStoppedByClient);
      return { speech: hosted.speech, ended, stop: () => hosted.speech.close() };
    },
    isPermanent: (err) => ['E_NO_MODEL', 'E_SOCKET_TAKEN'].includes(String((err as { code?: unknown }).code)),
    onState: (state, running) => {
      if (state.state === 'starting')
        controller.setStarting(
          state.attempt > 1 ? `Restarting the engine (attempt ${state.attempt})…` : 'Loading the model…',
        );
      else if (state.state === 'running' && running) void controller.setService(running.speech);
      else if (state.state === 'waiting')
        controller.setFailed('E_ENGINE', `${state.reason}; restarting in ${Math.round(state.delayMs / 1000)} s`);
      else if (state.state === 'failed')
        controller.setFailed(/no model/i.test(state.reason) ? 'E_NO_MODEL' : 'E_ENGINE', state.reason);
    },
  });
}
