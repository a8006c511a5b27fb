// "[HOST:]PORT", the form a front door's address takes (`q3tts serve --http/--wyoming`, the settings).
// Pure, so the window checks it exactly as the daemon parses it; core/doors/address.ts adds node:net's
// final word on the host.

export const LISTEN_ADDRESS_HINT = 'not [HOST:]PORT with an IP address (e.g. 8880 or 127.0.0.1:8880)';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-f:.]+$/i; // loose; node:net is the final judge in the daemon

/** The parts of "[HOST:]PORT" (host loopback when left out, brackets removed), or null when it is not that shape. */
export function splitListenAddress(text: string): { host: string; port: number; bracketed: boolean } | null {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim());
  if (!match) return null;
  return {
    host: (match[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(match[2]),
    bracketed: match[1]?.startsWith('[') ?? false,
  };
}

/** The host of "[HOST:]PORT", or null when the text is not one (bad shape, port > 65535, not an IP address). */
export function listenHost(text: string): string | null {
  const parts = splitListenAddress(text);
  if (!parts || parts.port > 65535) return null;
  const { host, bracketed } = parts;
  if (host === 'localhost' || IPV4.test(host)) return host;
  return bracketed && host.includes(':') && IPV6.test(host) ? host : null;
}

/** Only this machine can connect: no token needed. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (IPV4.test(host) && host.startsWith('127.'));
}
