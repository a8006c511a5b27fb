// `q3tts models list|pull|verify|remove|use`: the model manager from the command line. Pulls run in this
// process (no daemon needed); `use` also tells a running daemon, which then reloads its engine.
import { socketPath as defaultSocketPath } from '../shared/paths.js';
import { currentPathEnv } from '../core/paths.js';
import { modelsRoot } from '../core/models/layout.js';
import { defaultCatalog } from '../core/models/catalog.js';
import { ModelError, type ModelErrorKind } from '../core/models/errors.js';
import {
  listModels,
  removeModel,
  resolveInstalled,
  useModel,
  verifyModel,
  type VerifyResult,
} from '../core/models/inventory.js';
import { ModelsLayout } from '../core/models/layout.js';
import { formatEta } from '../core/models/progress.js';
import { formatBytes } from '../shared/bytes.js';
import { pullModel, type PullEvent } from '../core/models/pull.js';
import { DaemonConnection } from '../core/client.js';
import type { CliOptions, ModelsCommand } from './args.js';
import { EXIT } from './help.js';

export interface ModelsIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Cancels a pull (Ctrl-C); without one, runModels listens for SIGINT itself. */
  signal?: AbortSignal;
}

/** What `q3tts models` runs with, from the one parser (args.ts). */
export type ModelsOptions = Pick<CliOptions, 'args' | 'precision' | 'socket' | 'json' | 'quiet'> & {
  sub: ModelsCommand;
};

function exitFor(kind: ModelErrorKind): number {
  return kind === 'usage' || kind === 'unknown_model' || kind === 'not_installed'
    ? EXIT.usage
    : kind === 'cancelled'
      ? EXIT.interrupted
      : EXIT.failed;
}

export async function runModels(p: ModelsOptions, io: ModelsIo): Promise<number> {
  const pathEnv = currentPathEnv(io.env);
  const layout = new ModelsLayout(modelsRoot(pathEnv));
  const catalog = defaultCatalog();
  const out = (v: unknown) => io.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
  const err = (line: string) => io.stderr.write(`q3tts: ${line}\n`);
  try {
    switch (p.sub) {
      case 'list': {
        const listing = listModels(catalog, layout, io.env);
        if (p.json) out({ status: 'ok', ...listing });
        else out(renderList(listing));
        return EXIT.ok;
      }
      case 'pull':
        return await pull(p, io, layout.root);
      case 'verify': {
        const folders = p.args[0]
          ? [resolveInstalled(catalog, layout, p.args[0], p.precision)]
          : layout.installedFolders();
        if (folders.length === 0) throw new ModelError('not_installed', `no models installed in ${layout.root}`);
        const results: VerifyResult[] = [];
        for (const f of folders) {
          const r = await verifyModel(layout, f);
          results.push(r);
          if (!p.json) {
            if (r.ok === true) out(`${f}: ok (${r.files} files, ${formatBytes(r.bytes)})`);
            else if (r.ok === null) out(`${f}: no manifest (installed by hand): only its presence was checked`);
            else
              out(
                `${f}: DAMAGED\n${r.problems.map((x) => `  ${x.path}: ${x.problem}`).join('\n')}\n  fix: q3tts models pull ${f.replace(/-(int4|fp32)$/, '')}${/-(int4|fp32)$/.test(f) ? ` --precision ${f.slice(-4)}` : ''}`,
              );
          }
        }
        const ok = results.every((r) => r.ok !== false);
        if (p.json) out({ status: ok ? 'ok' : 'error', results });
        return ok ? EXIT.ok : EXIT.failed;
      }
      case 'remove': {
        const r = await removeModel(catalog, layout, p.args[0]!, p.precision);
        if (p.json) out({ status: 'ok', removed: r.folder, bytes: r.bytes, was_active: r.wasActive });
        else if (!p.quiet)
          out(`removed ${r.folder} (${formatBytes(r.bytes)})${r.wasActive ? '; no model is active now' : ''}`);
        return EXIT.ok;
      }
      case 'use': {
        const used = await useModel(catalog, layout, p.args[0]!, p.precision);
        // Tell a running daemon, so it reloads now; without one, the next start reads the active file.
        let daemon: string;
        try {
          const connection = await DaemonConnection.connect(p.socket ?? defaultSocketPath(pathEnv), 1000);
          try {
            const answer = await connection.request({ action: 'models_use', name: used.folder });
            daemon =
              answer.status === 'ok' ? 'the daemon reloaded it' : `the daemon could not load it: ${answer.message}`;
            if (answer.status === 'error') {
              if (p.json) out({ status: 'error', active: used.folder, message: answer.message });
              else err(`${used.folder} is active, but ${daemon}`);
              return EXIT.failed;
            }
          } finally {
            connection.close();
          }
        } catch {
          daemon = 'no daemon is running: it loads at the next start';
        }
        if (p.json) out({ status: 'ok', active: used.folder, dir: used.dir, daemon });
        else if (!p.quiet) out(`active model: ${used.folder} (${daemon})`);
        if (io.env.Q3TTS_MODEL_DIR && !p.json)
          err(`note: Q3TTS_MODEL_DIR is set (${io.env.Q3TTS_MODEL_DIR}) and takes precedence over the active model`);
        return EXIT.ok;
      }
    }
    return EXIT.usage;
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    if (p.json) out({ status: 'error', kind: e.kind, message: e.message });
    else err(e.message);
    return exitFor(e.kind);
  }
}

function renderList(l: ReturnType<typeof listModels>): string {
  const rows = l.models.map((m) => {
    const status = m.installed
      ? `installed${m.active ? ', active' : ''}`
      : m.partial_bytes
        ? `partial (${formatBytes(m.partial_bytes)}, pull resumes)`
        : 'available';
    const size = m.bytes === null ? 'unknown' : `${m.approx ? '~' : ''}${formatBytes(m.bytes)}`;
    return [m.name, m.precision ?? '-', size, status];
  });
  const header = ['NAME', 'PRECISION', 'SIZE', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
  const notes = [`models folder: ${l.root}`];
  if (l.override) notes.push(`Q3TTS_MODEL_DIR=${l.override} overrides the active model`);
  return [line(header), ...rows.map(line), '', ...notes].join('\n');
}

async function pull(p: ModelsOptions, io: ModelsIo, root: string): Promise<number> {
  const tty = io.stderr.isTTY === true && !p.json;
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    controller.abort();
  };
  if (io.signal) io.signal.addEventListener('abort', () => controller.abort(), { once: true });
  else process.on('SIGINT', onSigint);
  const bar = new ProgressView(io.stderr, tty, p.quiet);
  const onEvent = (e: PullEvent) => {
    if (p.json) io.stdout.write(`${JSON.stringify({ event: 'pull', ...e })}\n`);
    else bar.event(e);
  };
  try {
    const r = await pullModel({
      root,
      name: p.args[0]!,
      precision: p.precision,
      env: io.env,
      signal: controller.signal,
      onEvent,
    });
    bar.clear();
    const total = r.manifest.files.reduce((n, f) => n + f.size, 0);
    if (p.json)
      io.stdout.write(
        `${JSON.stringify({ status: 'ok', folder: r.folder, dir: r.dir, total_bytes: total, downloaded_bytes: r.downloadedBytes, active: r.active })}\n`,
      );
    else
      io.stdout.write(
        `installed ${r.folder} in ${r.dir} (${formatBytes(total)})${r.active ? ', active' : `; make it active with 'q3tts models use ${r.folder}'`}\n`,
      );
    return EXIT.ok;
  } catch (e) {
    bar.clear();
    if (e instanceof ModelError && e.kind === 'cancelled') {
      if (p.json) io.stdout.write(`${JSON.stringify({ status: 'error', kind: 'cancelled', message: e.message })}\n`);
      else io.stderr.write(`q3tts: interrupted: the downloaded part is kept; run the same command to resume\n`);
      return EXIT.interrupted;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A progress bar on a terminal (one line, redrawn); plain lines every 10% or 10 s otherwise. */
class ProgressView {
  private drawn = false;
  private lastLineAt = 0;
  private lastPercent = -10;

  constructor(
    private readonly stream: { write(s: string): unknown },
    private readonly tty: boolean,
    private readonly quiet: boolean,
  ) {}

  event(e: PullEvent): void {
    switch (e.type) {
      case 'plan': {
        const left = e.total_bytes - e.have_bytes;
        this.say(
          `${e.name} (${e.precision}) from ${e.repo}@${e.revision}: ${e.files} files, ${formatBytes(e.total_bytes)}` +
            `${e.have_bytes ? ` (${formatBytes(e.have_bytes)} already here, ${formatBytes(left)} to fetch)` : ''}; ${formatBytes(e.free_bytes)} free on disk`,
        );
        return;
      }
      case 'progress':
        return this.progress(e);
      case 'resume':
        if (!this.quiet) this.say(`resuming ${e.path} at ${formatBytes(e.offset)}`);
        return;
      case 'restart':
        return this.say(`${e.path}: ${e.reason}`);
      case 'retry':
        return this.say(`${e.path}: ${e.reason}; retry ${e.attempt} in ${(e.delay_ms / 1000).toFixed(1)} s`);
      case 'checksum':
        return this.say(`${e.message}${e.refetch ? '; fetching it again' : ''}`);
      default:
        return;
    }
  }

  private progress(e: Extract<PullEvent, { type: 'progress' }>): void {
    if (this.quiet) return;
    const pct = e.total_bytes ? Math.floor((e.done_bytes / e.total_bytes) * 100) : 100;
    const text = `${String(pct).padStart(3)}%  ${formatBytes(e.done_bytes)} / ${formatBytes(e.total_bytes)}  ${formatBytes(e.speed_bps)}/s  ETA ${formatEta(e.eta_s)}  (${e.files_done}/${e.files_total} files)`;
    if (this.tty) {
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      this.stream.write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (pct >= this.lastPercent + 10 || now - this.lastLineAt >= 10_000 || (pct === 100 && this.lastPercent !== 100)) {
      this.stream.write(`${text}\n`);
      this.lastLineAt = now;
      this.lastPercent = pct;
    }
  }

  private say(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
