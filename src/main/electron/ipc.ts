// ipcMain side of window.q3tts: only allow-listed channels, only from our own window's frame, and
// only payloads that pass the shared zod schemas. Handlers return values; they throw only for senders.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { ZodError, type ZodType } from 'zod';
import type { AppStatus, ModelEvent, Precision, PullParams, SettingsError, SettingsSnapshot, SpeakParams, WindowView } from '../../shared/bridge.js';
import { INVOKE_CHANNELS, IPC } from '../../shared/ipc.js';
import { IPC_PAYLOADS, issuesByField } from '../../shared/ipc-schemas.js';
import { describeIssues } from '../../shared/requests.js';
import type { Settings } from '../../shared/settings.js';
import type { AppController } from '../app/controller.js';
import type { ModelManager } from '../app/models.js';
import type { SettingsRepo } from '../app/settings-repo.js';
import { APP_ORIGIN } from './windows.js';
import { errorMessage } from '../../shared/errors.js';

export interface IpcDeps {
  controller: AppController;
  /** The Models view: list, download, cancel, use (app/models.ts). */
  models: Pick<ModelManager, 'list' | 'pull' | 'cancel' | 'use' | 'remove'>;
  /** The Settings view reads and writes through the repo (which tells the app's listeners). */
  settings: Pick<SettingsRepo, 'get' | 'update' | 'path'>;
  platform?: NodeJS.Platform;
  /** The webContents of windows we created (the sender must be one of them). */
  ourContents(): WebContents[];
  /** Asks the user where to save; null when they cancel. */
  chooseWavPath(sender: WebContents): Promise<string | null>;
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

type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>;

const invalid = (message: string, fields: Record<string, string> = {}): SettingsError => ({ ok: false, code: 'E_INVALID', message, fields });

export function registerIpc(deps: IpcDeps): () => void {
  const { controller, settings, models } = deps;
  const snapshot = (): SettingsSnapshot => ({ settings: settings.get(), file: settings.path, platform: deps.platform ?? process.platform });
  const saveSettings = (patch: unknown): ({ ok: true } & SettingsSnapshot) | SettingsError => {
    try {
      settings.update(patch);
      return { ok: true, ...snapshot() };
    } catch (err) {
      if (err instanceof ZodError) return invalid(describeIssues(err), issuesByField(err));
      return { ok: false, code: 'E_SETTINGS', message: `Could not save the settings: ${errorMessage(err)}`, fields: {} };
    }
  };
  const handlers: Record<(typeof INVOKE_CHANNELS)[keyof typeof INVOKE_CHANNELS], Handler> = {
    [IPC.speak]: async (_e, p) => controller.speak(p as SpeakParams),
    [IPC.saveWav]: async (e, p) => controller.saveWav(p as SpeakParams, await deps.chooseWavPath(e.sender)),
    [IPC.stop]: async () => controller.stop(),
    [IPC.getStatus]: async () => controller.status,
    [IPC.getVoices]: async () => controller.voices(),
    [IPC.getDefaults]: async () => controller.defaults(),
    [IPC.getSettings]: async () => snapshot(),
    [IPC.setSettings]: async (_e, p) => saveSettings(p),
    [IPC.listModels]: async () => models.list(),
    [IPC.pullModel]: async (_e, p) => models.pull(p as PullParams),
    [IPC.cancelPull]: async (_e, p) => models.cancel(p as { name: string; precision: Precision }),
    [IPC.useModel]: async (_e, p) => models.use(p as { name: string; precision: Precision | null }),
    [IPC.removeModel]: async (_e, p) => models.remove(p as { name: string; precision: Precision | null }),
  };
  for (const [channel, handler] of Object.entries(handlers)) {
    const schema: ZodType = IPC_PAYLOADS[channel as keyof typeof IPC_PAYLOADS];
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, deps.ourContents())) throw new Error(`refused ${channel}: untrusted sender`);
      if (args.length > 1) return invalid(`${channel} takes at most one argument`);
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) return invalid(describeIssues(parsed.error), issuesByField(parsed.error));
      return handler(event, parsed.data);
    });
  }
  return () => {
    for (const channel of Object.keys(handlers)) ipcMain.removeHandler(channel);
  };
}

function push(contents: WebContents[], channel: string, payload: unknown): void {
  for (const wc of contents) if (!wc.isDestroyed()) wc.send(channel, payload);
}

export const pushStatus = (contents: WebContents[], status: AppStatus): void => push(contents, IPC.status, status);
export const pushSettings = (contents: WebContents[], settings: Settings): void => push(contents, IPC.settings, settings);
export const pushShowView = (contents: WebContents[], view: WindowView): void => push(contents, IPC.showView, view);
export const pushModelEvent = (contents: WebContents[], event: ModelEvent): void => push(contents, IPC.modelEvent, event);
