// What the History tab shows for an entry: pure, so the wording is testable.
import type { HistoryEntry } from '../shared/history.js';

/** The start of the text on one line (the full text is the item's tooltip). */
export function excerpt(text: string, max = 90): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is flattened
  const flat = text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "A calm voice · English · 14:03 · 3.2 s" (and "audio no longer kept" when it went under the cap). */
export function entryDetails(e: HistoryEntry, now = new Date()): string {
  const voice = e.instruct ? excerpt(e.instruct, 40) : e.speaker ? e.speaker : 'Neutral voice';
  const at = new Date(e.at);
  const sameDay = at.toDateString() === now.toDateString();
  const time = sameDay
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
  const parts = [voice, e.language.toLowerCase() === 'auto' ? null : e.language, time, `${e.duration_s.toFixed(1)} s`];
  if (!e.audio) parts.push('audio no longer kept');
  return parts.filter(Boolean).join(' · ');
}
