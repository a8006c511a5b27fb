// Registers the clipboard shortcut with globalShortcut and reports what that means (app/hotkey.ts).
import { globalShortcut } from 'electron';
import { hotkeyOutcome, hotkeyStrategy, type HotkeyStatus, type SessionEnv } from '../app/hotkey.js';

let registered: string | null = null;

export function applyHotkey(session: SessionEnv, accelerator: string, onPress: () => void): HotkeyStatus {
  if (registered) globalShortcut.unregister(registered);
  registered = null;
  if (!accelerator || hotkeyStrategy(session) === 'cli-only') return hotkeyOutcome(session, accelerator, null);
  let ok: boolean;
  try {
    ok = globalShortcut.register(accelerator, onPress);
  } catch {
    ok = false; // an accelerator Electron cannot parse
  }
  if (ok) registered = accelerator;
  return hotkeyOutcome(session, accelerator, ok);
}
