// Host the daemon, or drive one that already runs? Two models in memory would not fit on most
// machines, so an app that finds `q3tts serve` on the socket becomes its client.
import type { UnreachableCode } from '../../core/client.js';

export type SocketProbe = 'absent' | 'stale' | 'live' | 'foreign';

export type DaemonPlan =
  { mode: 'host'; note: string | null } | { mode: 'attach'; note: string } | { mode: 'refuse'; note: string };

export function planDaemon(probe: SocketProbe, socketPath: string): DaemonPlan {
  switch (probe) {
    case 'absent':
      return { mode: 'host', note: null };
    case 'stale':
      return { mode: 'host', note: `Removed a stale socket left by a daemon that died (${socketPath}).` };
    case 'live':
      return {
        mode: 'attach',
        note: `Using the q3tts daemon already running on ${socketPath}; its model is shared, not loaded twice.`,
      };
    case 'foreign':
      return {
        mode: 'refuse',
        note: `Something that is not a q3tts daemon answers on ${socketPath}. Stop it, or set Q3TTS_SOCKET to another path.`,
      };
  }
}

/**
 * Classifies a ping attempt: why the connection failed (DaemonUnreachable's code), or the answer (null =
 * connected but no answer in time). The answer is checked, not trusted: whatever listens may not be q3tts.
 */
export function classifyProbe(result: { error: UnreachableCode } | { answer: unknown }): SocketProbe {
  if ('error' in result) return result.error === 'ECONNREFUSED' ? 'stale' : 'absent';
  const a = result.answer;
  return typeof a === 'object' && a !== null && 'status' in a && a.status === 'ok' ? 'live' : 'foreign';
}
