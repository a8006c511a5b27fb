// The tray as data: icon, tooltip and menu for a given state. electron/tray.ts only renders it.
import type { DoorInfo } from '../../shared/actions.js';
import type { AppState, AppStatus } from '../../shared/bridge.js';
import type { VoiceKind } from '../../shared/voice-kind.js';

export type TrayAction =
  | 'speak-clipboard'
  | 'stop'
  | 'open-window'
  | 'reload-handlers'
  | 'reload-model'
  | 'settings'
  | 'models'
  | 'quit'
  | 'pause'
  | 'resume'
  | 'next'
  | 'back';

export type TrayItem =
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'info'; label: string }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: TrayItem[] }
  /** One of a set of radio items: picking it makes `voice` (a saved voice; null = Settings' own) the default voice. */
  | { kind: 'voice'; label: string; voice: string | null; checked: boolean };

export interface TrayModel {
  /** Base name of the icon file (assets/tray/<icon>.png). */
  icon: `tray-${AppState}`;
  tooltip: string;
  items: TrayItem[];
}

export interface TrayContext {
  /** One line about the hotkey: "Hotkey: Ctrl+Alt+S", or why there is none. */
  hotkeyLine: string;
  /** The voice in use: the default instruct or speaker. */
  voice: string;
  /** The saved voices (settings.voices) by name and kind, for the Voice submenu; none = no submenu. */
  savedVoices?: Array<{ name: string; kind: VoiceKind }>;
  /** The saved voice the hotkey and the window use (settings.defaultVoice); null = the Settings' description. */
  defaultVoice?: string | null;
}

const STATE_TEXT: Record<AppState, string> = {
  loading: 'Loading the model…',
  ready: 'Ready',
  speaking: 'Speaking…',
  error: 'Error',
  'no-model': 'No model installed',
};

/** How the tray names each front door (docs/doors.md). */
const DOOR_NAMES: Record<DoorInfo['door'], string> = { 'openai-http': 'OpenAI HTTP API', wyoming: 'Wyoming' };

const MAX_LABEL = 70;
const clip = (s: string) => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

/** The default saved voice, when it is still saved (else the Settings' description is in use). */
function savedInUse(ctx: TrayContext): string | null {
  const wanted = (ctx.defaultVoice ?? '').toLowerCase();
  return (wanted && ctx.savedVoices?.find((v) => v.name.toLowerCase() === wanted)?.name) || null;
}

/** "Saved voices ▸": the saved voices and the Settings' own voice, the one in use checked (decision 0026). */
function voiceMenu(ctx: TrayContext): TrayItem[] {
  const saved = ctx.savedVoices ?? [];
  if (!saved.length) return [];
  const current = savedInUse(ctx);
  return [
    {
      kind: 'submenu',
      label: 'Saved voices',
      items: [
        { kind: 'voice', label: 'From Settings (default voice)', voice: null, checked: current === null },
        { kind: 'separator' },
        // a cloned or locked voice says so: it keeps one speaker, a designed one is sampled anew
        ...saved.map(({ name, kind }): TrayItem => ({
          kind: 'voice',
          label: kind === 'designed' ? clip(name) : `${clip(name)} (${kind})`,
          voice: name,
          checked: name === current,
        })),
      ],
    },
  ];
}

/** Pause/Resume (one item, by state), Next and Back: enabled while something speaks. */
function playbackItems(status: AppStatus): TrayItem[] {
  const speaking = status.state === 'speaking';
  return [
    status.paused
      ? { kind: 'action', action: 'resume', label: 'Resume', enabled: speaking }
      : { kind: 'action', action: 'pause', label: 'Pause', enabled: speaking },
    { kind: 'action', action: 'next', label: 'Next sentence', enabled: speaking },
    { kind: 'action', action: 'back', label: 'Previous sentence', enabled: speaking },
  ];
}

export function buildTrayModel(status: AppStatus, ctx: TrayContext): TrayModel {
  const up = status.state === 'ready' || status.state === 'speaking';
  const headline =
    status.message && (status.state === 'error' || status.state === 'no-model')
      ? `${STATE_TEXT[status.state]}: ${status.message}`
      : STATE_TEXT[status.state];
  const model = status.model
    ? `${status.model}${status.attached ? ' (attached to q3tts serve)' : ''}`
    : status.attached
      ? 'Attached to q3tts serve'
      : 'No model loaded';
  const items: TrayItem[] = [
    { kind: 'info', label: clip(`q3tts — ${headline}`) },
    { kind: 'separator' },
    // A new user's first step, first in the menu while nothing is installed (the window's Models tab otherwise).
    ...(status.state === 'no-model'
      ? [{ kind: 'action', action: 'models', label: 'Download a model…', enabled: true } as const]
      : []),
    { kind: 'action', action: 'speak-clipboard', label: 'Speak clipboard', enabled: up },
    { kind: 'action', action: 'stop', label: 'Stop speaking', enabled: status.state === 'speaking' },
    ...playbackItems(status),
    { kind: 'action', action: 'open-window', label: 'Open window', enabled: true },
    ...voiceMenu(ctx),
    { kind: 'separator' },
    { kind: 'action', action: 'reload-handlers', label: 'Reload handlers', enabled: up },
    // Also the way to retry after installing a model or after an engine failure.
    {
      kind: 'action',
      action: 'reload-model',
      label: status.attached ? 'Reload model (in q3tts serve)' : 'Reload model',
      enabled: status.state !== 'loading',
    },
    { kind: 'separator' },
    { kind: 'info', label: clip(`Model: ${model}`) },
    {
      kind: 'info',
      label: clip(`Voice: ${savedInUse(ctx) ?? (ctx.voice || 'neutral (no instruction)')}`),
    },
    { kind: 'info', label: clip(ctx.hotkeyLine) },
    ...(status.doors ?? []).map((d): TrayItem => ({
      kind: 'info',
      label: clip(`${DOOR_NAMES[d.door]}: ${d.address}${d.auth ? ' (token)' : ''}`),
    })),
    ...(status.remote
      ? [
          {
            kind: 'info',
            label: clip(
              `Speech server: ${status.remote.url}${status.remote.using === 'local' ? ' (away: the local model speaks)' : ''}`,
            ),
          } as const,
        ]
      : []),
    { kind: 'separator' },
    { kind: 'action', action: 'settings', label: 'Settings…', enabled: true },
    { kind: 'action', action: 'quit', label: 'Quit', enabled: true },
  ];
  // Tooltips are one or two short lines on every platform (Windows cuts at 127 characters).
  const slow =
    status.slow && up
      ? `\nSlower than real time (×${status.slow.rtf.toFixed(1)}): ~${Math.round(status.slow.waitSeconds)} s before each sentence`
      : '';
  const away = status.remote?.using === 'local' && up ? '\nSpeech server away: the local model speaks' : '';
  const tooltip = `q3tts — ${headline}${away}${slow}`.slice(0, 127);
  return { icon: `tray-${status.state}`, tooltip, items };
}
