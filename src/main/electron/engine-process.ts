// The engine host as an Electron utilityProcess: Electron's own Node child, which works in packaged
// builds where the runAsNode fuse is off (child_process.fork would not). Same host script as `q3tts serve`.
import { utilityProcess } from 'electron';
import type { FromHost } from '../../core/engine/host-messages.js';
import type { HostLauncher } from '../../core/engine/remote.js';

export const utilityProcessHost: HostLauncher = (hostPath) => {
  const child = utilityProcess.fork(hostPath, [], { serviceName: 'q3tts engine', stdio: 'inherit' });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: FromHost) => listener(message)),
    onExit: (listener) => child.once('exit', (code) => listener(code, null)),
    kill: () => void child.kill(),
  };
};
