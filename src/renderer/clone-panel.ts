// "Clone a voice from a clip": record from the microphone (up to 10 s, with the elapsed time and the input
// level) or pick a file; hear it back; type what it says (in-context mode); name it and save. The clip is
// made 24 kHz mono 16-bit WAV here (clip.ts) and goes through main to the daemon's voices_clone.
// Then "Speak a sample" says a sentence with the new voice.
import type { Q3ttsBridge } from '../shared/bridge.js';
import { errorMessage } from '../shared/errors.js';
import { presetNameProblem, type VoicePreset } from '../shared/voice-presets.js';
import { MAX_CLIP_FILE_BYTES, MAX_CLIP_SECONDS, makeClip, CLONE_RATE, type Clip } from './clip.js';
import { $ } from './dom.js';
import { startRecording, type Recording } from './recorder.js';

export const SAMPLE_TEXT = 'Hello! This is my cloned voice, reading a short sample so you can hear how it sounds.';

export function mountClonePanel(deps: {
  bridge: Q3ttsBridge;
  /** The language the speak form is set to (the clip's language). */
  language(): string;
  /** A voice was saved: the saved voices list shows it, picked. */
  onSaved(voices: VoicePreset[], name: string): void;
}): void {
  const { bridge } = deps;
  const panel = $<HTMLDetailsElement>('clone');
  const recordButton = $<HTMLButtonElement>('clone-record');
  const elapsed = $<HTMLSpanElement>('clone-elapsed');
  const level = $<HTMLMeterElement>('clone-level');
  const fileInput = $<HTMLInputElement>('clone-file');
  const clipLine = $<HTMLParagraphElement>('clone-clip');
  const playButton = $<HTMLButtonElement>('clone-play');
  const textInput = $<HTMLTextAreaElement>('clone-text');
  const nameInput = $<HTMLInputElement>('clone-name');
  const saveButton = $<HTMLButtonElement>('clone-save');
  const note = $<HTMLParagraphElement>('clone-note');
  const sampleButton = $<HTMLButtonElement>('clone-sample');

  let clip: Clip | null = null;
  let recording: Recording | null = null;
  let preview: { context: AudioContext; source: AudioBufferSourceNode } | null = null;
  let busy = false;
  let saved: string | null = null; // the voice "Speak a sample" speaks with

  const say = (text: string, failed = false) => {
    note.textContent = text;
    note.classList.toggle('error-text', failed);
  };
  const sync = () => {
    recordButton.textContent = recording ? 'Stop recording' : 'Record';
    recordButton.setAttribute('aria-pressed', String(recording !== null));
    recordButton.disabled = busy;
    fileInput.disabled = busy || recording !== null;
    playButton.disabled = !clip || recording !== null;
    playButton.textContent = preview ? 'Stop' : 'Play';
    saveButton.disabled = busy || !clip || recording !== null || nameInput.value.trim() === '';
    sampleButton.hidden = saved === null;
    sampleButton.disabled = busy;
    panel.setAttribute('aria-busy', String(busy));
  };
  const showElapsed = (seconds: number, input: number) => {
    elapsed.textContent = `${seconds.toFixed(1)} s / ${MAX_CLIP_SECONDS} s`;
    level.value = input;
  };

  /** A new clip (or none): what it is, and the old one's preview stops. */
  async function take(source: string, bytes: ArrayBuffer, trimTo?: number): Promise<void> {
    stopPreview();
    clip = null;
    saved = null;
    sync();
    try {
      clip = await makeClip(bytes, trimTo === undefined ? {} : { trimTo });
      clipLine.textContent = `Clip: ${clip.seconds.toFixed(1)} s ${source} — play it back before saving.`;
      say('');
    } catch (err) {
      clipLine.textContent = 'No clip yet.';
      say(errorMessage(err), true);
    }
    sync();
  }

  async function record(): Promise<void> {
    if (recording) return recording.stop();
    stopPreview();
    say('Asking for the microphone…');
    let done: Promise<ArrayBuffer>;
    try {
      ({ recording, done } = await startRecording(MAX_CLIP_SECONDS, { onTick: showElapsed }));
    } catch (err) {
      return say(`The microphone is not available: ${errorMessage(err)}`, true);
    }
    say(`Recording: speak now (it stops by itself at ${MAX_CLIP_SECONDS} s).`);
    sync();
    let bytes: ArrayBuffer;
    try {
      bytes = await done;
    } catch (err) {
      return say(errorMessage(err), true);
    } finally {
      recording = null;
      level.value = 0;
      sync();
    }
    fileInput.value = ''; // the clip is the recording now, not the file picked before
    await take('recorded', bytes, MAX_CLIP_SECONDS);
  }

  function stopPreview(): void {
    if (!preview) return;
    const { context } = preview;
    preview = null;
    void context.close();
    sync();
  }

  function play(): void {
    if (preview) return stopPreview();
    if (!clip) return;
    const context = new AudioContext();
    const buffer = context.createBuffer(1, clip.samples.length, CLONE_RATE);
    buffer.copyToChannel(clip.samples, 0);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.addEventListener('ended', () => {
      if (preview?.source === source) stopPreview();
    });
    source.start();
    preview = { context, source };
    sync();
  }

  async function save(): Promise<void> {
    const name = nameInput.value.trim();
    const problem = presetNameProblem(name);
    if (problem) return say(problem, true);
    if (!clip || busy) return;
    busy = true;
    const text = textInput.value.trim() || null;
    say(`Cloning “${name}” ${text ? 'with its words in context' : 'from its timbre only'}…`);
    sync();
    try {
      const result = await bridge.cloneVoice({ name, wav: clip.wav, text, language: deps.language() });
      if (!result.ok) return say(`Could not clone “${name}”: ${result.message}`, true);
      saved = result.voice.name;
      nameInput.value = '';
      deps.onSaved(result.voices, result.voice.name);
      say(`Saved “${result.voice.name}”: it is picked above, and in the tray and q3tts -v.`);
    } catch (err) {
      say(`Could not clone the voice: ${errorMessage(err)}`, true);
    } finally {
      busy = false;
      sync();
    }
  }

  async function speakSample(): Promise<void> {
    if (!saved || busy) return;
    busy = true;
    sync();
    say(`Speaking a sample with “${saved}”…`);
    try {
      const result = await bridge.speak({
        text: SAMPLE_TEXT,
        instruct: '',
        language: deps.language(),
        speaker: null,
        voice: saved,
      });
      if (result.ok) say(`That was “${saved}”.`);
      else say(result.code === 'E_CANCELLED' ? 'Stopped.' : result.message, result.code !== 'E_CANCELLED');
    } catch (err) {
      say(`Could not speak: ${errorMessage(err)}`, true);
    } finally {
      busy = false;
      sync();
    }
  }

  recordButton.addEventListener('click', () => void record());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    showElapsed(0, 0); // the recorder's last reading is not this clip's
    if (file.size > MAX_CLIP_FILE_BYTES)
      return say(`“${file.name}” is too large for a clip of at most ${MAX_CLIP_SECONDS} s.`, true);
    void file.arrayBuffer().then(
      (bytes) => take(`from ${file.name}`, bytes),
      (err: unknown) => say(`Could not read “${file.name}”: ${errorMessage(err)}`, true),
    );
  });
  playButton.addEventListener('click', play);
  saveButton.addEventListener('click', () => void save());
  sampleButton.addEventListener('click', () => void speakSample());
  nameInput.addEventListener('input', sync);
  nameInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter here saves the clone, not the speak form
    if (!saveButton.disabled) void save();
  });
  sync();
}
