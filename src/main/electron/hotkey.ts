// Registers the clipboard shortcut with globalShortcut and reports what that means (app/hotkey.ts).
import { globalShortcut } from 'electron';
import { hotkeyOutcome, hotkeyStrategy, type HotkeyStatus, type SessionEnv } from '../app/hotkey.js';

let registered: string | null = null;

/** `appIdInstalled`: false when no .desktop file names the app (Wayland's portal then cannot bind anything). */
export function applyHotkey(
  session: SessionEnv,
  accelerator: string,
  onPress: () => void,
  appIdInstalled = true,
): HotkeyStatus {
  if (registered) globalShortcut.unregister(registered);
  registered = null;
  const strategy = hotkeyStrategy(session);
  if (!accelerator || strategy === 'cli-only' || (strategy === 'portal' && !appIdInstalled))
    return hotkeyOutcome(session, accelerator, null, appIdInstalled);
  let ok: boolean;
  try {
    ok = globalShortcut.register(accelerator, onPress);
  } catch {
    ok = false; // an accelerator Electron cannot parse
  }
  if (ok) registered = accelerator;
  return hotkeyOutcome(session, accelerator, ok, appIdInstalled);
}
