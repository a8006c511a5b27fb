// While the window's own text is read aloud: the text shown read-only with the sentence being read marked
// (a textarea cannot colour a range), a progress bar, a line for screen readers (aria-live), and the playback
// buttons (pause/resume, back, next) enabled by state. The offsets come from the daemon's sentence events:
// UTF-16 code units into the text as sent, which is exactly the textarea's value.
import type { AppStatus } from '../shared/bridge.js';
import { $ } from './dom.js';

export type Place = NonNullable<AppStatus['sentence']>;

/** The text cut around the sentence being read (offsets clamped to the text). */
export function splitAt(text: string, place: Place): { before: string; current: string; after: string } {
  const start = Math.max(0, Math.min(place.start, text.length));
  const end = Math.max(start, Math.min(place.end, text.length));
  return { before: text.slice(0, start), current: text.slice(start, end), after: text.slice(end) };
}

/** What the progress line says: "Sentence 2 of 5". */
export const progressLabel = (place: Place) => `Sentence ${place.sentence} of ${place.sentences}`;

export interface PlaybackButtons {
  pause: { enabled: boolean; label: 'Pause' | 'Resume' };
  back: boolean;
  next: boolean;
}

/** Pause (Resume while held), Back and Next: while something speaks, ours or anyone's (the tray does the same). */
export function playbackButtons(status: AppStatus): PlaybackButtons {
  const speaking = status.state === 'speaking';
  return { pause: { enabled: speaking, label: status.paused ? 'Resume' : 'Pause' }, back: speaking, next: speaking };
}

/** The reading view's elements, and how it follows the status. */
export function mountReading(options: {
  textarea: HTMLTextAreaElement;
  control(action: 'pause' | 'resume' | 'next' | 'back'): void;
}) {
  const reading = $<HTMLDivElement>('reading');
  const progress = $<HTMLProgressElement>('reading-progress');
  const progressText = $<HTMLSpanElement>('reading-progress-text');
  const progressRow = $<HTMLDivElement>('reading-progress-row');
  const now = $<HTMLParagraphElement>('now-reading');
  const pause = $<HTMLButtonElement>('pause');
  const back = $<HTMLButtonElement>('back');
  const next = $<HTMLButtonElement>('next');
  let paused = false;
  pause.addEventListener('click', () => options.control(paused ? 'resume' : 'pause'));
  back.addEventListener('click', () => options.control('back'));
  next.addEventListener('click', () => options.control('next'));
  let shown: string | null = null; // the rendering's key, so an unchanged status does not rebuild it

  return {
    /** `spoken`: the text the window is having read (null when it is not speaking its own text). */
    render(status: AppStatus, spoken: string | null): void {
      const buttons = playbackButtons(status);
      paused = buttons.pause.label === 'Resume';
      pause.textContent = buttons.pause.label;
      pause.disabled = !buttons.pause.enabled;
      back.disabled = !buttons.back;
      next.disabled = !buttons.next;
      const place = spoken !== null && status.state === 'speaking' ? (status.sentence ?? null) : null;
      const key = place ? `${place.sentence}/${place.sentences}:${place.start}-${place.end}` : null;
      if (key === shown) return;
      shown = key;
      reading.hidden = place === null;
      progressRow.hidden = place === null;
      options.textarea.hidden = place !== null;
      if (!place || spoken === null) {
        reading.replaceChildren();
        now.textContent = '';
        return;
      }
      const parts = splitAt(spoken, place);
      const mark = document.createElement('mark');
      mark.textContent = parts.current;
      reading.replaceChildren(parts.before, mark, parts.after);
      progress.max = place.sentences;
      progress.value = place.sentence;
      progressText.textContent = progressLabel(place);
      now.textContent = `${progressLabel(place)}: ${parts.current}`;
      mark.scrollIntoView?.({ block: 'nearest' });
    },
  };
}
