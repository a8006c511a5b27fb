// Builds window.q3tts from the two channel lists (shared/ipc.ts): a row there is a method here, nothing
// more to write. Kept apart from index.ts so a test can build it from other lists.

/** What of ipcRenderer the bridge uses. */
interface Ipc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export type BuiltBridge<I extends string, P extends string> = Record<I, (...args: unknown[]) => Promise<unknown>> &
  Record<P, (listener: (payload: unknown) => void) => () => void>;

export function bridgeFor<I extends string, P extends string>(
  ipc: Ipc,
  invoke: Readonly<Record<I, string>>,
  push: Readonly<Record<P, string>>,
): BuiltBridge<I, P> {
  const methods: Record<string, unknown> = {};
  // Everything the page passes goes along: main refuses a wrong count or shape with a clear error.
  for (const [method, channel] of Object.entries<string>(invoke))
    methods[method] = (...args: unknown[]) => ipc.invoke(channel, ...args);
  for (const [method, channel] of Object.entries<string>(push))
    methods[method] = (listener: (payload: unknown) => void) => listen(ipc, channel, listener);
  return methods as BuiltBridge<I, P>;
}

/** Subscribes to one push channel; only the payload crosses over, never the IPC event (it carries the sender). */
function listen(ipc: Ipc, channel: string, listener: (payload: unknown) => void): () => void {
  const wrapped = (_event: unknown, payload: unknown) => listener(payload);
  ipc.on(channel, wrapped);
  return () => {
    ipc.removeListener(channel, wrapped);
  };
}
