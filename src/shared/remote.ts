// The remote engine's state as status reports it (docs/protocol.md, docs/scale-out.md). No Node: the window bundles it.

/** The remote engine's speech server, and who speaks while it is away. */
export interface RemoteStatus {
  url: string;
  using: 'server' | 'local';
  /** The server's last failure, while it is not used. */
  error?: string;
  /** Whether a local model stands in when the server fails. */
  failover: boolean;
}
