// ipcMain side of window.q3tts: the channels of the IPC contract (shared/ipc.ts, ipc-schemas.ts), only from
// our own window's frame, and only payloads that pass the contract's schemas. Handlers return values;
// they throw only for senders.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { ZodError, type z, type ZodType } from 'zod';
import type { AppStatus, ModelEvent, SettingsError, SettingsSnapshot, WindowView } from '../../shared/bridge.js';
import { INVOKE_CHANNELS, PUSH_CHANNELS, type InvokeMethod, type PushMethod, type Pushed } from '../../shared/ipc.js';
import { IPC_CONTRACT, issuesByField, type Answer, type PayloadOut } from '../../shared/ipc-schemas.js';
import { describeIssues } from '../../shared/requests.js';
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import type { AppController } from '../app/controller.js';
import type { ModelManager } from '../app/models.js';
import type { SettingsRepo } from '../app/settings-repo.js';
import { WindowHistory } from '../app/history.js';
import { VoicePresets } from '../app/voice-presets.js';
import { ServerTokenFile } from '../app/speech-server.js';
import { APP_ORIGIN } from './windows.js';
import { errorMessage } from '../../shared/errors.js';

export interface IpcDeps {
  controller: AppController;
  /** The Models view: list, download, cancel, use (app/models.ts). */
  models: Pick<ModelManager, 'list' | 'pull' | 'cancel' | 'use' | 'remove'>;
  /** The Settings view reads and writes through the repo (which tells the app's listeners). */
  settings: Pick<SettingsRepo, 'get' | 'update' | 'path' | 'reload'>;
  platform?: NodeJS.Platform;
  /** The webContents of windows we created (the sender must be one of them). */
  ourContents(): WebContents[];
  /** Asks the user where to save; null when they cancel. */
  chooseWavPath(sender: WebContents): Promise<string | null>;
  /** Saved voices (default: through the controller's daemon, into the settings file). */
  voicePresets?: Pick<VoicePresets, 'save' | 'remove' | 'clone' | 'lock'>;
  /** The speech server's token (default: the file beside the settings file). */
  serverToken?: Pick<ServerTokenFile, 'stored' | 'set'>;
  /** The token changed: the hosted daemon, if it speaks through a server, restarts with it. */
  onServerTokenChanged?(): void;
}

export function isTrustedSender(event: IpcMainInvokeEvent, ours: WebContents[]): boolean {
  const frame = event.senderFrame; // null once the frame navigated away or was destroyed
  if (!frame || !ours.includes(event.sender)) return false;
  if (frame.parent) return false; // never subframes
  try {
    // app: is not a special scheme to the URL standard, so Node's URL gives it the origin "null":
    // compare scheme and host (with any port) instead.
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

const invalid = (message: string, fields: Record<string, string> = {}): SettingsError => ({
  ok: false,
  code: 'E_INVALID',
  message,
  fields,
});

/** A contract: per method, the schema its one payload must pass. */
type Contract = Record<string, { payload: ZodType }>;
/** Per method, what to do with a payload that passed its schema. */
export type ContractHandlers<C extends Contract> = {
  [M in keyof C]: (payload: z.output<C[M]['payload']>, event: IpcMainInvokeEvent) => Promise<unknown>;
};

/**
 * Serves every method of a contract on its channel: from an untrusted sender it throws (the page is not
 * ours); a payload that fails the method's schema, or more than one argument, is answered E_INVALID and
 * reaches no handler. Returns the unregister.
 */
export function serveContract<C extends Contract>(
  contract: C,
  channels: Record<keyof C, string>,
  handlers: ContractHandlers<C>,
  trusted: (event: IpcMainInvokeEvent) => boolean,
): () => void {
  const served: string[] = [];
  for (const method of Object.keys(contract) as Array<keyof C & string>) {
    const channel = channels[method];
    const { payload } = contract[method]!;
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!trusted(event)) throw new Error(`refused ${channel}: untrusted sender`);
      if (args.length > 1) return invalid(`${channel} takes at most one argument`);
      const parsed = payload.safeParse(args[0]);
      if (!parsed.success) return invalid(describeIssues(parsed.error), issuesByField(parsed.error));
      // The parse of this row's schema: its output type, which TypeScript cannot follow through the loop.
      return handlers[method](parsed.data as z.output<C[typeof method]['payload']>, event);
    });
    served.push(channel);
  }
  return () => {
    for (const channel of served) ipcMain.removeHandler(channel);
  };
}

export function registerIpc(deps: IpcDeps): () => void {
  const { controller, settings, models } = deps;
  const history = new WindowHistory(() => controller.speech);
  const voicePresets =
    deps.voicePresets ??
    new VoicePresets({
      speech: () => controller.speech,
      settingsFile: settings.path,
      reloadSettings: () => settings.reload(),
    });
  const serverToken = deps.serverToken ?? new ServerTokenFile(settings.path);
  const snapshot = (): SettingsSnapshot => ({
    settings: settings.get(),
    file: settings.path,
    platform: deps.platform ?? process.platform,
  });
  const saveSettings = (patch: SettingsPatch): ({ ok: true } & SettingsSnapshot) | SettingsError => {
    try {
      settings.update(patch);
      return { ok: true, ...snapshot() };
    } catch (err) {
      if (err instanceof ZodError) return invalid(describeIssues(err), issuesByField(err));
      return {
        ok: false,
        code: 'E_SETTINGS',
        message: `Could not save the settings: ${errorMessage(err)}`,
        fields: {},
      };
    }
  };
  // Each handler gets its payload already validated and typed by IPC_CONTRACT, and must answer its row's type.
  const handlers: { [M in InvokeMethod]: (payload: PayloadOut<M>, event: IpcMainInvokeEvent) => Promise<Answer<M>> } = {
    speak: async (p) => controller.speak(p),
    saveWav: async (p, e) => controller.saveWav(p, await deps.chooseWavPath(e.sender)),
    stop: async () => controller.stop(),
    control: async (action) => controller.control(action),
    getStatus: async () => controller.status,
    getVoices: async () => controller.voices(),
    getDefaults: async () => controller.defaults(),
    getSettings: async () => snapshot(),
    setSettings: async (p) => saveSettings(p),
    listModels: async () => models.list(),
    pullModel: async (p) => models.pull(p),
    cancelPull: async (p) => models.cancel(p),
    useModel: async (p) => models.use(p),
    removeModel: async (p) => models.remove(p),
    listHistory: async () => history.list(),
    replayHistory: async (p) => history.replay(p.entry),
    saveHistory: async (p, e) => history.save(p.entry, await deps.chooseWavPath(e.sender)),
    speakHistory: async (p) => history.speakAgain(p.entry),
    clearHistory: async (p) => history.clear(p.entry),
    saveVoice: async (p) => voicePresets.save(p),
    removeVoice: async (p) => voicePresets.remove(p.name),
    getServerToken: async () => ({ stored: serverToken.stored() }),
    setServerToken: async (p) => {
      try {
        await serverToken.set(p.token);
      } catch (err) {
        return { ok: false, code: 'E_SETTINGS', message: `Could not store the token: ${errorMessage(err)}` };
      }
      deps.onServerTokenChanged?.();
      return { ok: true, stored: serverToken.stored() };
    },
    cloneVoice: async (p) => voicePresets.clone(p),
    lockVoice: async (p) => voicePresets.lock(p),
  };
  return serveContract(IPC_CONTRACT, INVOKE_CHANNELS, handlers, (event) => isTrustedSender(event, deps.ourContents()));
}

function push<M extends PushMethod>(contents: WebContents[], method: M, payload: Pushed<M>): void {
  for (const wc of contents) if (!wc.isDestroyed()) wc.send(PUSH_CHANNELS[method], payload);
}

export const pushStatus = (contents: WebContents[], status: AppStatus): void => push(contents, 'onStatus', status);
export const pushSettings = (contents: WebContents[], settings: Settings): void =>
  push(contents, 'onSettings', settings);
export const pushShowView = (contents: WebContents[], view: WindowView): void => push(contents, 'onShowView', view);
export const pushModelEvent = (contents: WebContents[], event: ModelEvent): void =>
  push(contents, 'onModelEvent', event);
