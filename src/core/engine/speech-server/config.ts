// The remote engine's settings, from flags and the environment: which server, its token, the timeouts,
// and the local model that stands in when the server fails (on by default when one is installed).
import type { PathEnv } from '../../../shared/paths.js';
import { EngineError } from '../errors.js';
import type { EngineChoice, Qwen3Config } from '../config.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './http.js';

export interface RemoteConfig {
  kind: 'remote';
  url: string;
  token?: string;
  timeouts: Timeouts;
  /** How long the server is left alone after a failure before a request tries it again. */
  recheckMs?: number;
  /** The local model to speak with while the server is away; absent = no failover. */
  fallback?: Qwen3Config;
}

export function resolveRemoteConfig(
  p: PathEnv,
  choice: EngineChoice,
  local: (choice: EngineChoice) => Qwen3Config,
): RemoteConfig {
  const url = choice.remoteUrl || p.env.Q3TTS_REMOTE_URL;
  if (!url)
    throw new EngineError(
      'E_ENGINE',
      `the remote engine needs a speech server: give --remote URL or set Q3TTS_REMOTE_URL (e.g. http://gpu-box:8091)`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError('E_ENGINE', `the speech server URL '${url}' is not a URL (e.g. http://gpu-box:8091)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new EngineError('E_ENGINE', `the speech server URL must start with http:// or https:// (got '${url}')`);
  const config: RemoteConfig = { kind: 'remote', url, timeouts: timeoutsFrom(p.env.Q3TTS_REMOTE_TIMEOUTS) };
  if (p.env.Q3TTS_REMOTE_TOKEN) config.token = p.env.Q3TTS_REMOTE_TOKEN;
  const recheck = Number(p.env.Q3TTS_REMOTE_RECHECK_MS);
  if (p.env.Q3TTS_REMOTE_RECHECK_MS && Number.isFinite(recheck) && recheck >= 0) config.recheckMs = recheck;

  const failover = (p.env.Q3TTS_REMOTE_FAILOVER ?? 'auto').toLowerCase();
  if (!['auto', 'on', '1', 'true', 'off', '0', 'false'].includes(failover))
    throw new EngineError('E_ENGINE', `Q3TTS_REMOTE_FAILOVER='${failover}' is not one of auto, on, off`);
  if (['on', '1', 'true'].includes(failover)) {
    config.fallback = local(choice); // asked for: no local model is an error worth saying at start
  } else if (failover === 'auto') {
    try {
      config.fallback = local(choice);
    } catch {
      // no local model installed: the server alone, and its failures say so
    }
  }
  return config;
}

/** Q3TTS_REMOTE_TIMEOUTS: "connect,first-byte,stall" in milliseconds; an empty place keeps its default. */
function timeoutsFrom(value: string | undefined): Timeouts {
  if (!value) return { ...DEFAULT_TIMEOUTS };
  const parts = value.split(',').map((s) => s.trim());
  const keys = ['connectMs', 'firstByteMs', 'stallMs'] as const;
  const out = { ...DEFAULT_TIMEOUTS };
  if (parts.length > 3) throw badTimeouts(value);
  parts.forEach((part, i) => {
    if (part === '') return;
    const ms = Number(part);
    if (!Number.isInteger(ms) || ms <= 0) throw badTimeouts(value);
    out[keys[i]!] = ms;
  });
  return out;
}

const badTimeouts = (value: string) =>
  new EngineError(
    'E_ENGINE',
    `Q3TTS_REMOTE_TIMEOUTS='${value}' should be up to three positive milliseconds: connect,first-byte,stall (default ${DEFAULT_TIMEOUTS.connectMs},${DEFAULT_TIMEOUTS.firstByteMs},${DEFAULT_TIMEOUTS.stallMs})`,
  );
