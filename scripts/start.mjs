// `npm start`: runs the tray app with the Electron binary, or says what to do when there is none (the
// electron package's own failure is a stack trace about a missing path.txt).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The electron package writes path.txt once its binary is in place; without it, requiring the package starts a
// download (that fails offline with a stack trace), so it is checked first.
let electron;
try {
  const dir = path.dirname(require.resolve('electron/package.json'));
  if (!existsSync(path.join(dir, 'path.txt'))) throw new Error('no binary');
  electron = require('electron');
} catch {
  process.stderr.write(
    [
      'q3tts: the Electron binary is not installed, so the tray app cannot start here.',
      '  Its postinstall step downloads it; on a machine that can, run: npm rebuild electron (Node >= 22.12 recommended).',
      '  Without the app, everything else works from the command line:',
      '    node out/cli/q3tts.mjs serve &        # the daemon (keeps the model loaded)',
      '    node out/cli/q3tts.mjs "Hello there."  # speak',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const child = spawn(electron, ['out/main/index.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
