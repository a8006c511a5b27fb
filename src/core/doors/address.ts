// Where a front door listens: "[HOST:]PORT" as given to `q3tts serve --http/--wyoming` and the settings.
import net from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { splitListenAddress } from '../../shared/listen-address.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses "[HOST:]PORT" ("8880", "127.0.0.1:8880", "[::1]:8880"); the host defaults to loopback. */
export function parseListenAddress(text: string): ListenAddress {
  const parts = splitListenAddress(text);
  if (!parts) throw new RangeError(`'${text}' is not [HOST:]PORT (for example 8880 or 127.0.0.1:8880)`);
  const { host, port } = parts;
  if (port > 65535) throw new RangeError(`port ${port} is out of range (0-65535)`);
  if (!net.isIP(host) && host !== 'localhost') throw new RangeError(`'${host}' is not an IP address (or localhost)`);
  return { host, port };
}

/** "host:port", with IPv6 hosts in brackets. */
export function formatHostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts listening (an HTTP or a plain TCP server alike) and gives the port, which is the one asked for or, for 0, the one chosen. */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
