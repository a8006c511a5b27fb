// Failover between a speech server and the local model: speak through the server while it answers; when it
// cannot be reached or fails before any audio came, speak that request (and the next ones) with the local
// model, saying so once; try the server again with a request now and then, and go back to it when it answers.
// A request whose audio had begun when the server failed is not repeated (its start was already heard or
// written): it fails with the server's cause, and the requests after it go local.
import type { RemoteStatus } from '../../../shared/actions.js';
import type { Engine, EngineInfo, SynthesisEvent, SynthesisRequest } from '../../../shared/engine.js';
import { errorMessage } from '../../../shared/errors.js';
import { abortError, EngineError, isAbortError } from '../errors.js';
import { ServerError } from './http.js';
import type { SpeechServerEngine } from './engine.js';

/** How long after a failure the server is left alone before a request tries it again. */
export const DEFAULT_RECHECK_MS = 15_000;

export type { RemoteStatus };

export interface FailoverOptions {
  /** Loads the local model (in its own host process); absent = no failover. */
  loadLocal?: (() => Promise<Engine>) | undefined;
  recheckMs?: number;
  log?: (message: string) => void;
  /** Told whenever `using` changes (the daemon re-emits its state). */
  onChange?: (status: RemoteStatus) => void;
}

export interface RemoteEngine extends Engine {
  remoteStatus(): RemoteStatus;
  refreshInfo(): Promise<boolean>;
  takeNotice(): string | undefined;
}

export function withFailover(server: SpeechServerEngine, options: FailoverOptions = {}): RemoteEngine {
  const log = options.log ?? (() => undefined);
  const recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  let local: Engine | undefined;
  let loadingLocal: Promise<Engine> | undefined;
  let failure: { cause: string; at: number } | undefined;
  /** What the next answer tells its user (once) about a switch. */
  let notice: string | undefined;

  const status = (): RemoteStatus => ({
    url: server.url,
    using: failure && options.loadLocal ? 'local' : 'server',
    ...(failure ? { error: failure.cause } : {}),
    failover: Boolean(options.loadLocal),
  });

  function serverFailed(err: ServerError): void {
    const first = !failure;
    failure = { cause: err.message, at: Date.now() };
    if (!first) return; // said once, not at every request
    notice = options.loadLocal
      ? `speech server ${server.url} failed: ${err.message}; speaking with the local model until it answers again`
      : undefined;
    log(notice ?? `speech server ${server.url} failed: ${err.message}`);
    options.onChange?.(status());
  }

  function serverBack(): void {
    if (!failure) return;
    failure = undefined;
    notice = `speech server ${server.url} answers again; speaking through it`;
    log(notice);
    options.onChange?.(status());
  }

  async function localEngine(): Promise<Engine> {
    if (local && (local as { alive?: boolean }).alive !== false) return local;
    loadingLocal ??= options.loadLocal!().finally(() => (loadingLocal = undefined));
    local = await loadingLocal;
    return local;
  }

  /** The server's error as the user reads it: which server, and what went wrong. */
  const named = (err: ServerError, extra = '') =>
    new EngineError('E_ENGINE', `speech server ${server.url}: ${err.message}${extra}`);

  async function* viaServer(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
    let audio = false;
    try {
      for await (const event of server.synthesize(request, signal)) {
        if (event.type === 'audio') {
          if (!audio) serverBack();
          audio = true;
        }
        yield event;
      }
      serverBack();
    } catch (err) {
      if (isAbortError(err) || signal.aborted) throw abortError();
      if (!(err instanceof ServerError) || err.requestFault) {
        throw err instanceof ServerError ? named(err) : err;
      }
      serverFailed(err);
      if (audio || !options.loadLocal) {
        throw named(
          err,
          audio ? ' (the audio had begun, so it is not repeated)' : ' (and no local model to fall back on)',
        );
      }
      yield* viaLocal(request, signal);
    }
  }

  async function* viaLocal(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<SynthesisEvent> {
    let engine: Engine;
    try {
      engine = await localEngine();
    } catch (err) {
      throw new EngineError(
        'E_ENGINE',
        `speech server ${server.url} failed (${failure?.cause ?? 'unknown'}), and the local model could not load: ${errorMessage(err)}`,
      );
    }
    yield* engine.synthesize(request, signal);
  }

  return {
    get info(): EngineInfo {
      return server.info;
    },
    remoteStatus: status,
    takeNotice() {
      const said = notice;
      notice = undefined;
      return said;
    },
    refreshInfo: async () => {
      const ok = await server.refreshInfo();
      if (ok) serverBack();
      return ok;
    },
    synthesize(request, signal) {
      const away = failure && options.loadLocal && Date.now() - failure.at < recheckMs;
      return away ? viaLocal(request, signal) : viaServer(request, signal);
    },
    async dispose() {
      await Promise.all([server.dispose(), (local ?? (await loadingLocal?.catch(() => undefined)))?.dispose()]);
    },
  };
}
