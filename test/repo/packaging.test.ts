// The packaging contract, offline: electron-builder.yml is valid by electron-builder's own schema,
// and its asarUnpack globs really unpack native modules and their shared libraries.
import { createPackageWithOptions, listPackage } from '@electron/asar';
import Ajv from 'ajv';
import { load as loadYaml } from 'js-yaml';
import { minimatch } from 'minimatch';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ID, DESKTOP_NAME } from '../../src/main/electron/identity.js';

const root = path.resolve(import.meta.dirname, '../..');
const config = loadYaml(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  asarUnpack: string[];
  files: string[];
  electronFuses: Record<string, boolean>;
  linux: { files: string[]; target: string[] };
  mac: { files: string[]; target: string[] };
  win: { files: string[]; target: string[] };
};
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { desktopName: string; main: string };

describe('electron-builder.yml', () => {
  it('validates against app-builder-lib/scheme.json', () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('targets AppImage + deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('macOS is told why the window records (cloning a voice); without it the app is killed at the first recording', () => {
    const info = (config.mac as unknown as { extendInfo: Record<string, unknown> }).extendInfo;
    expect(info.NSMicrophoneUsageDescription).toMatch(/clone a voice/);
  });

  it('sets the fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.npmRebuild).toBe(false);
  });

  it('packages out/ and package.json (whose main is in out/), and the ids the app sets', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'out/**']));
    expect(pkg.main.startsWith('out/')).toBe(true);
    expect(pkg.desktopName).toBe('io.github.q3tts.desktop');
    expect(DESKTOP_NAME).toBe(pkg.desktopName);
    expect(APP_ID).toBe(config.appId); // Windows: the runtime AppUserModelID is the installer shortcut's
    expect(config.linux).toMatchObject({ syncDesktopName: true });
  });

  // electron-builder applies "!" patterns of the top level and then of the platform (appended).
  const included = (file: string, patterns: string[]) => {
    let keep = patterns.some((p) => !p.startsWith('!') && minimatch(file, p, { dot: true }));
    for (const p of patterns) if (p.startsWith('!') && minimatch(file, p.slice(1), { dot: true })) keep = false;
    return keep;
  };
  const ort = (plat: string, arch: string, f: string) =>
    `node_modules/onnxruntime-node/bin/napi-v6/${plat}/${arch}/${f}`;
  it.each([
    [
      'linux',
      [ort('linux', 'x64', 'onnxruntime_binding.node'), ort('linux', 'x64', 'libonnxruntime.so.1')],
      [ort('darwin', 'arm64', 'libonnxruntime.1.dylib'), ort('win32', 'x64', 'DirectML.dll')],
    ],
    [
      'mac',
      [ort('darwin', 'arm64', 'onnxruntime_binding.node')],
      [ort('linux', 'x64', 'libonnxruntime.so.1'), ort('win32', 'arm64', 'onnxruntime.dll')],
    ],
    [
      'win',
      [ort('win32', 'x64', 'onnxruntime.dll')],
      [ort('linux', 'arm64', 'onnxruntime_binding.node'), ort('darwin', 'arm64', 'onnxruntime_binding.node')],
    ],
  ] as const)('%s keeps its own ORT binaries and drops the others', (platform, kept, dropped) => {
    const patterns = [...config.files, 'node_modules/**', ...config[platform].files];
    for (const f of kept) expect(included(f, patterns), f).toBe(true);
    for (const f of dropped) expect(included(f, patterns), f).toBe(false);
  });

  it.each([
    'models/Qwen3-TTS/int4/talker_decode.onnx',
    'models/x/fp32/vocoder.onnx.data',
    'models/x/embeddings/text_embedding.npy',
    'out/main/index.mjs.map',
  ])('keeps %s out', (file) => {
    expect(included(file, [...config.files, 'models/**'])).toBe(false);
  });
});

describe('asarUnpack on a staged tree', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'q3tts-asar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('unpacks .node files and their versioned shared libraries, and nothing else', async () => {
    const stage = path.join(dir, 'app');
    const files = [
      'package.json',
      'out/main/index.mjs',
      'out/renderer/index.html',
      'node_modules/onnxruntime-node/dist/index.js',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so',
      'node_modules/naudiodon/index.js',
      'node_modules/naudiodon/build/Release/naudiodon.node',
      'node_modules/naudiodon/build/Release/libportaudio.so.2',
      'node_modules/some-mac-thing/lib/libfoo.1.dylib',
      'node_modules/some-win-thing/foo.dll',
    ];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      writeFileSync(path.join(stage, f), f);
    }
    const archive = path.join(dir, 'app.asar');
    // electron-builder hands asar one brace pattern built from the list.
    await createPackageWithOptions(stage, archive, { unpack: `{${config.asarUnpack.join(',')}}` });
    const unpacked = walk(`${archive}.unpacked`)
      .map((f) => path.relative(`${archive}.unpacked`, f))
      .sort();
    expect(unpacked).toEqual(
      [
        'node_modules/naudiodon/build/Release/libportaudio.so.2',
        'node_modules/naudiodon/build/Release/naudiodon.node',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        'node_modules/some-mac-thing/lib/libfoo.1.dylib',
        'node_modules/some-win-thing/foo.dll',
      ].sort(),
    );
    // The JavaScript stays inside the archive.
    const inside = listPackage(archive, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
    expect(inside).toEqual(expect.arrayContaining(['/out/main/index.mjs', '/node_modules/naudiodon/index.js']));
    expect(unpacked.some((f) => f.endsWith('.js'))).toBe(false);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
