// Patches naudiodon 2.3.6 (unmaintained) after install, then builds it. Idempotent: each edit is skipped
// when already applied, and the addon is rebuilt whenever an edit to its sources was made.
// Why: docs/decisions/0002-naudiodon-patched.md. Upstream as published
//  1. registers a process-wide segfault handler at require time that writes crash.log into the CWD;
//  2. links its bundled libportaudio.so.2 through an absolute RUNPATH, so a packaged app cannot load it;
//  3. has an abort() that always throws ("AudioIO Quit expects 1 argument"), and even its native abort
//     first waits for every queued chunk to be played, so nothing can stop playback quickly;
//  4. printf()s banners and device names to stdout, which is the CLI's (--json) output.
// Its own install script is denied in package.json (allowScripts) so that it only ever builds patched.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.resolve(import.meta.dirname, '..', 'node_modules', 'naudiodon');
if (!existsSync(root)) process.exit(0); // production install without it, or not installed yet

/** Applies edits to one file; an edit whose `done` test fails and whose `find` is absent means upstream changed. */
function patchFile(rel, edits) {
  const file = path.join(root, rel);
  const before = readFileSync(file, 'utf8');
  let text = before;
  for (const { name, find, replace, done } of edits) {
    if (done(text)) continue;
    const next = text.replace(find, replace);
    if (next === text || !done(next))
      throw new Error(`naudiodon ${rel} changed shape (${name}); update scripts/patch-naudiodon.mjs`);
    text = next;
  }
  if (text === before) return false;
  writeFileSync(file, text);
  return true;
}

patchFile('index.js', [
  {
    name: 'no segfault handler',
    find: /var SegfaultHandler = require\('segfault-handler'\);\s*\nSegfaultHandler\.registerHandler\("crash\.log"\);\s*\n/,
    replace: '/* q3tts: no process-wide segfault handler (upstream wrote a crash log into the CWD) */\n',
    done: (s) => !s.includes('SegfaultHandler'),
  },
  {
    name: 'working abort',
    find: /audioIOAdon\.quit\('ABORT', \(\) => \{\s*if \(typeof cb === 'function'\)\s*cb\(\);\s*\}\);/,
    replace:
      "audioIOAdon.quit('ABORT').then(() => { if (typeof cb === 'function') cb(); }); /* q3tts: quit() takes no callback */",
    done: (s) => s.includes("audioIOAdon.quit('ABORT').then("),
  },
]);

let sourcesChanged = false;
sourcesChanged =
  patchFile('src/AudioIO.cc', [
    {
      name: 'abort does not wait for the queue',
      find: /c->mPaContext->quit\(\);(\r?\n)([ \t]*)c->mPaContext->stop\(c->mStopFlag\);/,
      replace:
        '// q3tts: only WAIT plays out the queue; ABORT stops now$1$2if (c->mStopFlag == PaContext::eStopFlag::WAIT) c->mPaContext->quit();$1$2c->mPaContext->stop(c->mStopFlag);',
      done: (s) => s.includes('if (c->mStopFlag == PaContext::eStopFlag::WAIT) c->mPaContext->quit();'),
    },
  ]) || sourcesChanged;
sourcesChanged =
  patchFile('src/PaContext.cc', [
    {
      name: 'abort releases a blocked callback',
      find: /if \(eStopFlag::ABORT == flag\)(\r?\n)([ \t]*)Pa_AbortStream\(mStream\);/,
      replace:
        'if (eStopFlag::ABORT == flag) { // q3tts: wake a callback waiting on an empty queue, then abort$1$2if (mInOptions) mInChunks->quit();$1$2if (mOutOptions) mOutChunks->quit();$1$2Pa_AbortStream(mStream);$1  }',
      done: (s) => s.includes('q3tts: wake a callback'),
    },
    {
      name: 'quiet stdout',
      find: /#include <thread>(\r?\n)/,
      replace: '#include <thread>$1#define Q3TTS_QUIET(...) ((void)0) // q3tts: stdout belongs to the application$1',
      done: (s) => s.includes('#define Q3TTS_QUIET'),
    },
    {
      name: 'no printf',
      find: /\bprintf\(/g,
      replace: 'Q3TTS_QUIET(',
      done: (s) => !/\bprintf\(/.test(s),
    },
  ]) || sourcesChanged;
for (const rel of ['src/naudiodonUtil.cc', 'src/naudiodonUtil.h']) {
  sourcesChanged =
    patchFile(rel, [
      {
        name: 'diagnostics to stderr',
        find: /\bprintf\(/g,
        replace: 'fprintf(stderr, ',
        done: (s) => !/\bprintf\(/.test(s),
      },
    ]) || sourcesChanged;
}
sourcesChanged =
  patchFile('binding.gyp', [
    {
      name: 'RUNPATH $ORIGIN',
      find: /"-Wl,-rpath,<@\(module_root_dir\)\/build\/Release"/g,
      replace: () => `"-Wl,-rpath,'$$ORIGIN'"`,
      done: (s) => s.includes('$$ORIGIN') && !s.includes('-rpath,<@(module_root_dir)'),
    },
  ]) || sourcesChanged;

const built = path.join(root, 'build', 'Release', 'naudiodon.node');
if (sourcesChanged || !existsSync(built)) {
  const require = createRequire(import.meta.url);
  let gypBin;
  try {
    gypBin = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn('q3tts: node-gyp not installed; naudiodon not built (the pipe audio sink will be used)');
    process.exit(0);
  }
  // Build against the running Node's own headers when they are installed (offline machines; npm passes
  // its nodedir setting only when this runs as a lifecycle script).
  const prefix = path.dirname(path.dirname(process.execPath));
  const nodedir =
    process.env.npm_config_nodedir ||
    (existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
  try {
    execFileSync(process.execPath, [gypBin, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch {
    console.warn('q3tts: building naudiodon failed; the pipe audio sink will be used');
  }
}
