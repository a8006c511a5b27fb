// Which front end asked for speech: the `source` field of generate, recorded in the history.
// "door" is the HTTP and Wyoming doors (set by the daemon when a door streams the audio).
export const SPEECH_SOURCES = ['cli', 'window', 'hotkey', 'tray', 'door', 'speechd', 'script'] as const;
export type SpeechSource = (typeof SPEECH_SOURCES)[number];
