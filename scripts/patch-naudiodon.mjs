// Patches naudiodon 2.3.6 (unmaintained) after install, then builds it.
// Why: see docs/decisions/0002-naudiodon-patched.md. In short, upstream
//  1. registers a process-wide segfault handler that writes crash.log into the CWD, and
//  2. links its bundled libportaudio.so.2 through an absolute RUNPATH, so a packaged app cannot load it.
// Its own install script is denied in package.json (allowScripts) so that it only ever builds patched.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', 'node_modules', 'naudiodon');
if (!existsSync(root)) process.exit(0); // production install without it, or not installed yet

const MARK = '/* q3tts-patched */';
const indexPath = path.join(root, 'index.js');
let index = readFileSync(indexPath, 'utf8');
if (!index.includes(MARK)) {
  index = index
    .replace(/var SegfaultHandler = require\('segfault-handler'\);\s*\n/, '')
    .replace(/SegfaultHandler\.registerHandler\("crash\.log"\);\s*\n/, '');
  if (index.includes('SegfaultHandler')) throw new Error('naudiodon index.js changed shape; update scripts/patch-naudiodon.mjs');
  writeFileSync(indexPath, `${MARK}\n${index}`);
}

const gypPath = path.join(root, 'binding.gyp');
let gyp = readFileSync(gypPath, 'utf8');
if (!gyp.includes("$$ORIGIN")) {
  gyp = gyp.replaceAll('"-Wl,-rpath,<@(module_root_dir)/build/Release"', () => `"-Wl,-rpath,'$$ORIGIN'"`);
  if (!gyp.includes("$$ORIGIN")) throw new Error('naudiodon binding.gyp changed shape; update scripts/patch-naudiodon.mjs');
  writeFileSync(gypPath, gyp);
}

const built = path.join(root, 'build', 'Release', 'naudiodon.node');
if (!existsSync(built)) {
  const require = createRequire(import.meta.url);
  let gypBin;
  try {
    gypBin = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn('q3tts: node-gyp not installed; naudiodon not built (the pipe audio sink will be used)');
    process.exit(0);
  }
  try {
    execFileSync(process.execPath, [gypBin, 'rebuild'], { cwd: root, stdio: 'inherit' });
  } catch {
    console.warn('q3tts: building naudiodon failed; the pipe audio sink will be used');
  }
}
