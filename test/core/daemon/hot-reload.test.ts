// Handlers are re-imported when their file changes, without reloading the model; a broken file is
// answered as an error while the daemon lives on, and the fixed file is used by the next request.
// The daemon runs as users run it (`q3tts serve`, plain Node), so module loading is Node's own.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../../support/raw-client.js';
import { startServe, type Served } from '../../support/serve.js';

const built = path.resolve(import.meta.dirname, '../../../out/daemon/handlers.mjs');
let dir: string;
let handlersFile: string;
let socketPath: string;
let daemon: Served;

/** Writes a new version of the handlers file (a distinct mtime, as an editor's save would give). */
function rewrite(transform: (source: string) => string): void {
  const source = readFileSync(built, 'utf8');
  writeFileSync(handlersFile, transform(source));
}

beforeAll(async () => {
  process.env.Q3TTS_AUDIO = 'null';
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-reload-'));
  handlersFile = path.join(dir, 'handlers.mjs');
  copyFileSync(built, handlersFile);
  socketPath = path.join(dir, 'daemon.sock');
  daemon = await startServe(
    { ...process.env, Q3TTS_SOCKET: socketPath, Q3TTS_HANDLERS: handlersFile, Q3TTS_AUDIO: 'null' },
    ['--engine', 'tone'],
  );
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const logged = () => daemon.log();

describe('hot-reloaded handlers', () => {
  it('a changed handlers file is used by the next request; the engine is not reloaded', async () => {
    const before = await ask(socketPath, { action: 'generate', text: 'hi', language: 'Klingon' });
    expect(before.status === 'error' && before.message).toMatch(/unknown language 'Klingon'/);
    const v1 = (await ask(socketPath, { action: 'status' })).handlers_version;

    rewrite((s) => s.replaceAll('unknown language', 'no such language'));
    const after = await ask(socketPath, { action: 'generate', text: 'hi', language: 'Klingon' });
    expect(after.status === 'error' && after.message).toMatch(/no such language 'Klingon'/);

    const status = await ask(socketPath, { action: 'status' });
    expect(status.handlers_version).not.toBe(v1);
    expect(status.engine_loads).toBe(1);
  });

  it('a handlers file that fails to load is logged and answered as an error; the daemon lives on', async () => {
    writeFileSync(handlersFile, 'export function handle( { this is not javascript');
    const broken = await ask(socketPath, { action: 'generate', text: 'hi' });
    expect(broken).toMatchObject({ status: 'error', code: 'E_HANDLERS' });
    expect(logged()).toMatch(/handlers file .* failed to load[\s\S]*SyntaxError/);
    // Control actions do not depend on handlers.
    expect(await ask(socketPath, { action: 'status' })).toMatchObject({ status: 'ok', state: 'idle' });

    rewrite((s) => s);
    expect((await ask(socketPath, { action: 'generate', text: 'hi', output: path.join(dir, 'ok.wav') })).status).toBe(
      'ok',
    );
  });

  it('handlers that throw are logged with their stack and answered as an error', async () => {
    writeFileSync(handlersFile, 'export async function handle() { throw new Error("handler exploded"); }\n');
    const answer = await ask(socketPath, { action: 'voices' });
    expect(answer).toMatchObject({ status: 'error', code: 'E_HANDLERS' });
    expect(answer.status === 'error' && answer.message).toMatch(/handler exploded/);
    expect(logged()).toMatch(/handlers threw on 'voices': Error: handler exploded\n\s+at /);
    rewrite((s) => s);
    expect((await ask(socketPath, { action: 'voices' })).status).toBe('ok');
  });

  it('the reload action re-imports at once and reports the new version', async () => {
    const v = (await ask(socketPath, { action: 'status' })).handlers_version as string;
    const answer = await ask(socketPath, { action: 'reload' });
    expect(answer.status).toBe('ok');
    expect(answer.handlers_version).not.toBe(v);
    expect(answer.engine_loads).toBe(1);
  });
});
