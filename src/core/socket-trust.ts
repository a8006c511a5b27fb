// Who may stand between a client and the daemon: nobody but the user. Without XDG_RUNTIME_DIR the socket lives
// in <tmpdir>/q3tts-<uid>/, a name any local user can create first (0777) and then swap the socket inside for
// their own, receiving the client's text. So the daemon and every client check, as ssh-agent and tmux do:
// q3tts's own directory is the user's, not a symlink, and 0700 (tightened when it is ours, refused otherwise);
// a directory the user named (Q3TTS_SOCKET) is the user's or root's and, if others may write to it, sticky;
// and before sending anything a client checks that the socket itself belongs to the user.
import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import path from 'node:path';

/** The socket or its directory could belong to someone else: nothing is sent or served there. */
export class UntrustedSocketPath extends Error {
  constructor(
    readonly socketPath: string,
    readonly reason: string,
  ) {
    super(`refusing to use ${socketPath}: ${reason}`);
    this.name = 'UntrustedSocketPath';
  }
}

const isWindowsPipe = (p: string) => p.startsWith('\\\\.\\pipe\\') || p.startsWith('\\\\?\\pipe\\');

/** q3tts's own directory (q3tts/ or q3tts-<uid>/), as opposed to one the user pointed Q3TTS_SOCKET into. */
const isOwnDirectory = (dir: string) => path.basename(dir).startsWith('q3tts');

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Checks (and, with `create`, makes) the socket's directory. Tightens q3tts's own directory to 0700 when it
 * belongs to the user; throws UntrustedSocketPath when it does not, or is a symlink. A missing directory is
 * fine for a client (there is no daemon to reach).
 */
export function secureSocketDirectory(
  socketPath: string,
  options: { create: boolean; uid?: number | undefined },
): void {
  const uid = options.uid ?? process.getuid?.();
  if (uid === undefined || isWindowsPipe(socketPath)) return;
  const dir = path.dirname(socketPath);
  const own = isOwnDirectory(dir);
  if (options.create && !lstatOrNull(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatOrNull(dir);
  if (!st) return; // a client with no directory: there is no daemon to reach
  if (st.isSymbolicLink())
    throw new UntrustedSocketPath(socketPath, `${dir} is a symbolic link (it could point anywhere); remove it`);
  if (!st.isDirectory()) throw new UntrustedSocketPath(socketPath, `${dir} is not a directory`);
  if (own) {
    if (st.uid !== uid) {
      throw new UntrustedSocketPath(
        socketPath,
        `${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): another user may have created it to intercept your requests. Remove it (as root), or set XDG_RUNTIME_DIR or Q3TTS_SOCKET`,
      );
    }
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700); // ours but too open: tighten it before anything is put there
    return;
  }
  if (st.uid !== uid && st.uid !== 0)
    throw new UntrustedSocketPath(socketPath, `${dir} belongs to uid ${st.uid}, neither you (uid ${uid}) nor root`);
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    throw new UntrustedSocketPath(
      socketPath,
      `${dir} (mode ${octal(st.mode)}) lets other users replace files in it; use a private directory`,
    );
  }
}

/** Before a client sends anything: the socket must be a socket, not a symlink, and the user's. */
export function checkSocketOwner(socketPath: string, uid: number | undefined = process.getuid?.()): void {
  if (uid === undefined || isWindowsPipe(socketPath)) return;
  const st = lstatOrNull(socketPath);
  if (!st) return; // nothing there: connecting says so
  if (st.isSymbolicLink()) throw new UntrustedSocketPath(socketPath, 'it is a symbolic link, not the daemon’s socket');
  if (!st.isSocket()) throw new UntrustedSocketPath(socketPath, 'it is not a socket');
  if (st.uid !== uid)
    throw new UntrustedSocketPath(
      socketPath,
      `the socket belongs to uid ${st.uid}, not to you (uid ${uid}): it is not your daemon`,
    );
}

/** Everything a client checks before connecting. */
export function checkClientSocketPath(socketPath: string): void {
  secureSocketDirectory(socketPath, { create: false });
  checkSocketOwner(socketPath);
}
