// What the window shows for a given state: pure, so the wording and the disabled rules are testable.
import type { AppStatus, RunStats } from '../shared/bridge.js';
import { remoteNote } from './speech-server-view.js';

export const EXAMPLE_VOICES: ReadonlyArray<{ name: string; instruct: string }> = [
  { name: 'Calm narrator', instruct: 'A calm, warm middle-aged male narrator with a slow, steady pace.' },
  { name: 'Bright & cheerful', instruct: 'A bright, cheerful young female voice, upbeat and friendly.' },
  { name: 'News anchor', instruct: 'A clear, confident news anchor with crisp articulation and a neutral accent.' },
  { name: 'Soft whisper', instruct: 'A soft, breathy whisper, intimate and quiet.' },
  { name: 'Old storyteller', instruct: 'An elderly storyteller with a gravelly, kind voice and dramatic pauses.' },
];

export const STATE_LABEL: Record<AppStatus['state'], string> = {
  loading: 'Loading model…',
  ready: 'Ready',
  speaking: 'Speaking',
  error: 'Engine error',
  'no-model': 'No model',
};

export function formatStats(stats: RunStats): string {
  const ttfa =
    stats.timeToFirstAudioMs >= 1000
      ? `${(stats.timeToFirstAudioMs / 1000).toFixed(2)} s`
      : `${Math.round(stats.timeToFirstAudioMs)} ms`;
  return `first audio after ${ttfa} · real-time factor ${stats.realTimeFactor.toFixed(2)} · ${stats.audioSeconds.toFixed(1)} s of audio`;
}

export function statusLine(status: AppStatus, busy: 'speak' | 'save' | null): string {
  const up = status.state === 'ready' || status.state === 'speaking';
  // Said where the user looks: where speech is made (a speech server, or the local model standing in),
  // why it waits, and what would make it faster.
  const remote = up ? remoteNote(status) : null;
  const line = remote ? `${baseStatusLine(status, busy)} — ${remote}` : baseStatusLine(status, busy);
  return status.slow && up ? `${line} — ${status.slow.advice}` : line;
}

function baseStatusLine(status: AppStatus, busy: 'speak' | 'save' | null): string {
  const who = status.model ? `${status.model}${status.attached ? ' (shared with q3tts serve)' : ''}` : '';
  switch (status.state) {
    case 'loading':
      return status.message ?? 'Loading the model…';
    case 'no-model':
      return `No model installed. ${status.message ?? ''}`.trim();
    case 'error':
      return status.message ? `The engine failed: ${status.message}` : 'The engine is not running.';
    case 'speaking':
      if (status.paused) return 'Paused — Resume carries on.';
      return busy === 'save'
        ? `Saving… ${status.progressSeconds !== null ? `${status.progressSeconds.toFixed(1)} s of audio so far` : ''}`.trim()
        : `Speaking… ${status.progressSeconds !== null ? `${status.progressSeconds.toFixed(1)} s of audio so far` : ''}`.trim();
    case 'ready':
      return [who, status.last ? `Last: ${formatStats(status.last)}` : 'Ready to speak.'].filter(Boolean).join(' — ');
  }
}

export interface Controls {
  speak: boolean;
  stop: boolean;
  save: boolean;
}

/** Enabled controls: speaking needs a model and text; stop needs something playing (ours or anyone's). */
export function controlsFor(status: AppStatus, hasText: boolean, busy: 'speak' | 'save' | null): Controls {
  const up = status.state === 'ready' || status.state === 'speaking';
  return {
    speak: up && hasText && busy !== 'save',
    stop: status.state === 'speaking' || busy !== null,
    save: up && hasText && busy === null,
  };
}
