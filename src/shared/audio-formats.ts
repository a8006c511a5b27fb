// Audio file formats, named once: the CLI checks `-o NAME.ext` before asking the daemon, the daemon picks the
// encoder by the same table, and the HTTP door's response_format uses the same names. No Node: the renderer
// may bundle it (a Save dialog's filters).

export const AUDIO_FORMATS = ['wav', 'mp3', 'opus', 'flac'] as const;
export type AudioFileFormat = (typeof AUDIO_FORMATS)[number];

/** File extensions (lower case, with the dot) and the format each one means. */
export const EXTENSION_FORMATS: Readonly<Record<string, AudioFileFormat>> = {
  '.wav': 'wav',
  '.mp3': 'mp3',
  '.ogg': 'opus', // Ogg Opus: speech-grade at a small size; Vorbis brings nothing for a voice
  '.opus': 'opus',
  '.flac': 'flac',
};

export const isAudioFormat = (v: unknown): v is AudioFileFormat => (AUDIO_FORMATS as readonly unknown[]).includes(v);

/**
 * The format a file name asks for: its extension's, WAV when it has none, or an error naming the extensions
 * q3tts writes (an unknown one is refused, never written as WAV under a misleading name).
 */
export function formatForFile(file: string): { format: AudioFileFormat } | { error: string } {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return { format: 'wav' };
  const ext = base.slice(dot).toLowerCase();
  const format = EXTENSION_FORMATS[ext];
  if (format) return { format };
  return {
    error: `cannot write '${ext}' files (${Object.keys(EXTENSION_FORMATS).join(', ')}; the extension picks the format)`,
  };
}
