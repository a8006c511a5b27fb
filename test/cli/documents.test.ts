// What users feed q3tts, read as heard, through the built CLI against a real daemon on the tone engine (one
// 1920-sample frame per character said, so a file's length tells exactly what was said): -f book.pdf and
// -f book.epub (fixtures written by test/support/pdf.ts and epub.ts), the same bytes on stdin, unreadable books
// as usage errors, and the clipboard (--clipboard, and the daemon's `clean` behind the app's hotkey) cleaned by
// the same parsers as -f and stdin.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/shared/protocol.js';
import { makeEpub } from '../support/epub.js';
import { bodyLines, makePdf } from '../support/pdf.js';
import { connectRaw } from '../support/raw-client.js';
import { cliPath as cli, startServe, type Served } from '../support/serve.js';
import { readWav } from '../support/wav.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: Served;

function q3tts(args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: options.env ?? env,
    cwd: dir,
    input: options.input,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** The characters the daemon said into a WAV file (the tone engine: one frame each). */
const saidChars = (file: string) => readWav(path.join(dir, file)).samples.length / 1920;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-documents-'));
  env = {
    ...process.env,
    Q3TTS_SOCKET: path.join(dir, 'run', 'daemon.sock'),
    Q3TTS_AUDIO: 'null',
    Q3TTS_DATA_DIR: path.join(dir, 'data'),
  };
  delete env.Q3TTS_MODEL_DIR;
  delete env.Q3TTS_ENGINE;
  daemon = await startServe(env, ['--engine', 'tone']);
});

afterAll(() => {
  daemon?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const PDF = makePdf(
  [1, 2].map((n) => ({
    texts: [
      { x: 72, y: 760, text: 'Field Notes', size: 9 },
      ...(n === 1 ? [{ x: 72, y: 700, text: 'Birds', size: 18, bold: true }] : []),
      ...bodyLines(n === 1 ? ['Owls hunt at night and sleep', 'by day.'] : ['Crows are clev-', 'er.'], 670),
      { x: 300, y: 40, text: String(n), size: 9 },
    ],
  })),
);
const PDF_HEARD = 'Birds.\n\nOwls hunt at night and sleep by day.\n\nCrows are clever.';

const EPUB = makeEpub(
  [
    { id: 'b', href: 'b.xhtml', body: '<p>Second.</p>' },
    { id: 'a', href: 'a.xhtml', body: '<h2>Start</h2><p>First <b>bold</b> words.</p>' },
  ],
  { spine: ['a', 'b'] },
);
const EPUB_HEARD = 'Start.\n\nFirst bold words.\n\nSecond.';

describe('-f book.pdf and -f book.epub', () => {
  it('a PDF is said without its running header and page numbers, the hyphenated word whole', () => {
    writeFileSync(path.join(dir, 'notes.pdf'), PDF);
    const r = q3tts(['-f', 'notes.pdf', '-o', 'pdf.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(saidChars('pdf.wav')).toBe(PDF_HEARD.length);
  });

  it('an EPUB is said in spine order', () => {
    writeFileSync(path.join(dir, 'book.epub'), EPUB);
    const r = q3tts(['-f', 'book.epub', '-o', 'epub.wav']);
    expect(r.code, r.stderr).toBe(0);
    expect(saidChars('epub.wav')).toBe(EPUB_HEARD.length);
  });

  it('-f - takes a PDF or an EPUB on stdin too (known by its signature)', () => {
    expect(q3tts(['-f', '-', '-o', 'stdin-pdf.wav'], { input: PDF }).code).toBe(0);
    expect(saidChars('stdin-pdf.wav')).toBe(PDF_HEARD.length);
    expect(q3tts(['-f', '-', '-o', 'stdin-epub.wav'], { input: EPUB }).code).toBe(0);
    expect(saidChars('stdin-epub.wav')).toBe(EPUB_HEARD.length);
  });

  it('an encrypted, scanned or damaged book is a usage error that says why (also in --json); nothing is queued', () => {
    writeFileSync(path.join(dir, 'locked.pdf'), makePdf([{ texts: bodyLines(['secret']) }], { encrypted: true }));
    writeFileSync(path.join(dir, 'scan.pdf'), makePdf([{ image: true }]));
    writeFileSync(path.join(dir, 'broken.epub'), EPUB.subarray(0, 200));
    writeFileSync(path.join(dir, 'fake.pdf'), 'this is not a PDF');
    for (const [file, message] of [
      ['locked.pdf', 'q3tts: locked.pdf is password-protected (encrypted): q3tts cannot open it\n'],
      [
        'scan.pdf',
        'q3tts: scan.pdf has no text to read: its pages are images (a scan?). Run it through OCR first, e.g. ocrmypdf\n',
      ],
      ['fake.pdf', 'q3tts: fake.pdf is not a PDF q3tts can read (damaged, or not a PDF)\n'],
    ] as const) {
      const r = q3tts(['-f', file]);
      expect([r.code, r.stderr]).toEqual([1, message]);
    }
    const broken = q3tts(['-f', 'broken.epub']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^q3tts: broken\.epub is (damaged|not an EPUB)/);
    const json = q3tts(['--json', '-f', 'locked.pdf']);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'error', code: 'E_USAGE', message: /password-protected/ });
    expect(q3tts(['queue']).out.trim()).toBe('queue empty');
  });
});

describe('the clipboard, cleaned by the same parsers as -f and stdin', () => {
  const MARKDOWN = '## Plan\n\nRead **this** first: see [the docs](https://example.com/docs).\n\n```\nrm -rf /\n```\n';
  const HEARD = 'Plan.\n\nRead this first: see the docs.';

  it('--clipboard speaks the words, as -f and stdin do', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(dir, 'clip.txt'), MARKDOWN);
    writeFileSync(path.join(bin, 'xclip'), `#!/bin/sh\ncat '${path.join(dir, 'clip.txt')}'\n`);
    chmodSync(path.join(bin, 'xclip'), 0o755);
    const clipEnv: NodeJS.ProcessEnv = { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete clipEnv.WAYLAND_DISPLAY;
    const r = q3tts(['--clipboard', '-o', 'clip.wav'], { env: clipEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(saidChars('clip.wav')).toBe(HEARD.length);
    expect(q3tts(['-o', 'stdin.wav'], { input: MARKDOWN }).code).toBe(0);
    expect(saidChars('stdin.wav')).toBe(HEARD.length);
  });

  it("the daemon's `clean` field (the app's hotkey) gives the same words", async () => {
    const c = await connectRaw(env.Q3TTS_SOCKET!);
    c.socket.write(
      encodeFrame({ action: 'generate', text: MARKDOWN, clean: true, output: path.join(dir, 'clean.wav') }),
    );
    const [answer] = await c.next(1);
    c.socket.destroy();
    expect(answer).toMatchObject({ status: 'ok' });
    expect(saidChars('clean.wav')).toBe(HEARD.length);
  });
});
