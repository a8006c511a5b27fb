// Issue 16, item 2: socket squatting. Another local user (nobody, via setpriv) creates the fallback
// directory <tmpdir>/q3tts-<uid>/ first, or swaps the socket in a directory left open, and listens there.
// Neither the daemon nor a client may use it, and no request may reach the squatter.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DaemonConnection } from '../../src/core/client.js';
import { prepareSocketPath, SocketServer } from '../../src/core/daemon/server.js';
import { checkSocketOwner, secureSocketDirectory, UntrustedSocketPath } from '../../src/core/socket-trust.js';

const isRoot = process.getuid?.() === 0;
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'trust-'));
  chmodSync(root, 0o1777); // a shared, sticky directory like /tmp, where nobody can create things too
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A server run by the user nobody that writes whatever it receives to `log`. */
function squatter(socketPath: string, log: string): Promise<ChildProcess> {
  const script = path.join(root, `squatter-${Date.now()}.cjs`);
  writeFileSync(
    script,
    `const net = require('net'), fs = require('fs');
     const s = net.createServer((c) => c.on('data', (d) => fs.appendFileSync(${JSON.stringify(log)}, d)));
     s.listen(${JSON.stringify(socketPath)}, () => { fs.chmodSync(${JSON.stringify(socketPath)}, 0o777); console.log('listening'); });`,
  );
  chmodSync(script, 0o644);
  const child = spawn('setpriv', [...NOBODY, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`squatter exited with ${code}`)));
  });
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--'];
const asNobody = (...args: string[]) => execFileSync('setpriv', [...NOBODY, ...args]);

describe.skipIf(!isRoot)('a second user squatting the socket directory (setpriv as nobody)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill();
  });

  it('a directory q3tts-<uid> created by another user (0777) is refused by client and daemon; nothing is sent', async () => {
    const dir = path.join(root, `q3tts-${process.getuid!()}`);
    asNobody('mkdir', '-m', '0777', dir);
    const socketPath = path.join(dir, 'daemon.sock');
    const log = path.join(root, 'received-1');
    children.push(await squatter(socketPath, log));

    const err = await DaemonConnection.connect(socketPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UntrustedSocketPath);
    expect((err as Error).message).toMatch(/belongs to uid 65534, not to you/);
    await expect(prepareSocketPath(socketPath)).rejects.toThrow(/belongs to uid 65534/);
    const server = new SocketServer(socketPath, async () => ({ status: 'ok' }), { log: () => undefined });
    await expect(server.listen()).rejects.toBeInstanceOf(UntrustedSocketPath);

    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(log)).toBe(false); // the squatter never heard from us
    expect(lstatSync(socketPath).uid).toBe(65534); // and we did not touch its socket
  });

  it('our own directory left open (0777): the client tightens it and refuses the socket another user put there', async () => {
    const dir = path.join(root, 'q3tts-open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const socketPath = path.join(dir, 'daemon.sock');
    const log = path.join(root, 'received-2');
    children.push(await squatter(socketPath, log));

    const err = await DaemonConnection.connect(socketPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UntrustedSocketPath);
    expect((err as Error).message).toMatch(/socket belongs to uid 65534/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(log)).toBe(false);
  });

  it('a shared directory other users can write to without the sticky bit is refused', () => {
    const dir = path.join(root, 'shared-open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(() => secureSocketDirectory(path.join(dir, 'd.sock'), { create: true })).toThrow(
      /lets other users replace files/,
    );
    chmodSync(dir, 0o1777);
    expect(() => secureSocketDirectory(path.join(dir, 'd.sock'), { create: true })).not.toThrow();
  });
});

describe.runIf(!isRoot)('second-user tests', () => {
  it('are skipped: they need root to run a process as nobody', () => {
    console.log('socket-trust: not root, skipping the tests run as the user nobody');
  });
});

describe('socket checks for the user alone', () => {
  it('the daemon makes its own directory 0700 and the client connects to its socket', async () => {
    const socketPath = path.join(root, 'q3tts-mine', 'daemon.sock');
    const server = new SocketServer(
      socketPath,
      async (r) => ({ status: 'ok', ...(r.id === undefined ? {} : { id: r.id }) }),
      { log: () => undefined },
    );
    await server.listen();
    try {
      expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
      const c = await DaemonConnection.connect(socketPath);
      await expect(c.request({ action: 'ping' })).resolves.toMatchObject({ status: 'ok' });
      c.close();
    } finally {
      await server.close();
    }
  });

  it('a symlinked socket directory is refused', () => {
    const real = path.join(root, 'real-dir');
    mkdirSync(real, { mode: 0o700 });
    const link = path.join(root, 'q3tts-link');
    symlinkSync(real, link);
    expect(() => secureSocketDirectory(path.join(link, 'daemon.sock'), { create: true })).toThrow(/symbolic link/);
    expect(() => secureSocketDirectory(path.join(link, 'daemon.sock'), { create: false })).toThrow(UntrustedSocketPath);
  });

  it('a socket path that is a regular file or a symlink is not connected to', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-owner-'));
    try {
      writeFileSync(path.join(dir, 'file.sock'), '');
      symlinkSync(path.join(dir, 'file.sock'), path.join(dir, 'link.sock'));
      expect(() => checkSocketOwner(path.join(dir, 'file.sock'))).toThrow(/not a socket/);
      expect(() => checkSocketOwner(path.join(dir, 'link.sock'))).toThrow(/symbolic link/);
      expect(() => checkSocketOwner(path.join(dir, 'missing.sock'))).not.toThrow();
      expect(readFileSync(path.join(dir, 'file.sock'), 'utf8')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
