// ipcMain side of window.q3tts: only allow-listed channels, only from our own window's frame, and
// only payloads that pass the shared zod schemas. Handlers return values; they throw only for senders.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ZodType } from 'zod';
import type { AppStatus, SpeakParams } from '../../shared/bridge.js';
import { INVOKE_CHANNELS, IPC } from '../../shared/ipc.js';
import { IPC_PAYLOADS } from '../../shared/ipc-schemas.js';
import { describeIssues } from '../../shared/requests.js';
import type { AppController } from '../app/controller.js';
import { APP_ORIGIN } from './windows.js';

export interface IpcDeps {
  controller: AppController;
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
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

type Handler = (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>;

export function registerIpc(deps: IpcDeps): () => void {
  const { controller } = deps;
  const handlers: Record<(typeof INVOKE_CHANNELS)[keyof typeof INVOKE_CHANNELS], Handler> = {
    [IPC.speak]: async (_e, p) => controller.speak(p as SpeakParams),
    [IPC.saveWav]: async (e, p) => controller.saveWav(p as SpeakParams, await deps.chooseWavPath(e.sender)),
    [IPC.stop]: async () => controller.stop(),
    [IPC.getStatus]: async () => controller.status,
    [IPC.getVoices]: async () => controller.voices(),
    [IPC.getDefaults]: async () => controller.defaults(),
  };
  for (const [channel, handler] of Object.entries(handlers)) {
    const schema: ZodType = IPC_PAYLOADS[channel as keyof typeof IPC_PAYLOADS];
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, deps.ourContents())) throw new Error(`refused ${channel}: untrusted sender`);
      if (args.length > 1) return { ok: false, code: 'E_INVALID', message: `${channel} takes at most one argument` };
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) return { ok: false, code: 'E_INVALID', message: describeIssues(parsed.error) };
      return handler(event, parsed.data);
    });
  }
  return () => {
    for (const channel of Object.keys(handlers)) ipcMain.removeHandler(channel);
  };
}

export function pushStatus(contents: WebContents[], status: AppStatus): void {
  for (const wc of contents) if (!wc.isDestroyed()) wc.send(IPC.status, status);
}
