// `q3tts speechd-module` (what speech-dispatcher runs) and `q3tts speechd install|uninstall` (per user).
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { DaemonConnection } from '../core/client.js';
import { SpeechdModule } from '../core/doors/speechd-module.js';
import type { PathEnv } from '../shared/paths.js';

/** Where speech-dispatcher (0.11+) looks for a user's modules and their configuration. */
export function speechdPaths(p: PathEnv): { dataHome: string; module: string; config: string } {
  const dataHome = p.env.XDG_DATA_HOME?.startsWith('/') ? p.env.XDG_DATA_HOME : path.join(p.homedir, '.local', 'share');
  const configHome = p.env.XDG_CONFIG_HOME?.startsWith('/') ? p.env.XDG_CONFIG_HOME : path.join(p.homedir, '.config');
  return {
    dataHome,
    module: path.join(dataHome, '..', 'libexec', 'speech-dispatcher-modules', 'sd_q3tts'),
    config: path.join(configHome, 'speech-dispatcher', 'modules', 'q3tts.conf'),
  };
}

export function installSpeechd(p: PathEnv, out: (line: string) => void): void {
  const { dataHome, module, config } = speechdPaths(p);
  const cli = path.resolve(process.argv[1]!); // the q3tts script running now (this code is a bundled chunk)
  const socket = p.env.Q3TTS_SOCKET ? `Q3TTS_SOCKET=${shellQuote(p.env.Q3TTS_SOCKET)} ` : '';
  // speech-dispatcher looks in <data home>/../libexec, which only resolves when the data home exists.
  mkdirSync(dataHome, { recursive: true });
  mkdirSync(path.dirname(module), { recursive: true });
  mkdirSync(path.dirname(config), { recursive: true });
  writeFileSync(
    module,
    `#!/bin/sh\n# speech-dispatcher output module: forwards to the q3tts daemon (q3tts speechd uninstall removes it)\n${socket}exec ${shellQuote(process.execPath)} ${shellQuote(cli)} speechd-module "$@"\n`,
  );
  chmodSync(module, 0o755);
  writeFileSync(
    config,
    "# q3tts speech-dispatcher module: no settings; voices and languages come from the daemon's model.\n",
  );
  out(`installed the speech-dispatcher module 'q3tts':\n  ${module}\n  ${config}`);
  out(
    `restart speech-dispatcher (killall speech-dispatcher, or log out and in), keep 'q3tts serve' or the tray app running, then:`,
  );
  out(`  spd-say -o q3tts "Hello"       select it for one message`);
  out(
    `  DefaultModule q3tts            in ~/.config/speech-dispatcher/speechd.conf (spd-conf -u makes one), or choose it in Orca's preferences`,
  );
}

export function uninstallSpeechd(p: PathEnv, out: (line: string) => void): void {
  const { module, config } = speechdPaths(p);
  const existed = [module, config].filter((f) => existsSync(f));
  for (const f of existed) rmSync(f, { force: true });
  out(
    existed.length
      ? `removed ${existed.join(' and ')}; restart speech-dispatcher`
      : 'the q3tts speech-dispatcher module was not installed',
  );
}

/** Runs the module on stdin/stdout until speech-dispatcher says QUIT or closes stdin. */
export async function runSpeechdModule(socketPath: string): Promise<number> {
  let quit = false;
  const connections: DaemonConnection[] = [];
  const module = new SpeechdModule(
    async () => {
      const connection = await DaemonConnection.connect(socketPath);
      connections.push(connection);
      return connection;
    },
    (text) => process.stdout.write(text),
    (message) => process.stderr.write(`q3tts speechd-module: ${message}\n`),
    () => (quit = true),
  );
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    await module.line(line);
    if (quit) break;
  }
  lines.close();
  // An open connection to the daemon would keep this process alive after QUIT (or speech-dispatcher's end),
  // one orphaned module per speech-dispatcher run.
  for (const connection of connections) connection.close();
  return 0;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
