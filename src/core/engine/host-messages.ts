// Messages between the daemon and its engine host process (structured clone: Float32Array travels as is).
import type { EngineInfo, SynthesisEvent, SynthesisRequest, VoiceClone } from '../../shared/engine.js';
import type { ErrorCode } from '../../shared/protocol.js';
import type { EngineConfig } from './config.js';

export type ToHost =
  | { type: 'load'; config: EngineConfig }
  | { type: 'synthesize'; id: number; request: SynthesisRequest }
  | { type: 'decode'; id: number; frames: number[][] }
  | { type: 'abort'; id: number }
  /** Engine.cloneVoice: answered by one 'cloned' (or an 'error'). */
  | { type: 'clone'; id: number; audio: Float32Array; refText: string | null }
  | { type: 'dispose' };

export type FromHost =
  | { type: 'loaded'; info: EngineInfo; loadMs: number }
  | { type: 'load-error'; code: ErrorCode; message: string }
  | { type: 'event'; id: number; event: SynthesisEvent }
  | { type: 'end'; id: number }
  | { type: 'cloned'; id: number; clone: VoiceClone }
  | { type: 'error'; id: number; code: ErrorCode; message: string; cancelled: boolean };

/** The host's side of the pipe: Node's process.send in a child, Electron's parentPort in a utilityProcess. */
export interface HostChannel {
  send(message: FromHost): void;
  onMessage(listener: (message: ToHost) => void): void;
}
