// Opens the front doors a daemon was asked for (`q3tts serve --http/--wyoming`, the app's settings) and closes
// them again. Security defaults live here: loopback unless told otherwise, a bearer token beyond loopback.
import path from 'node:path';
import type { DaemonCore } from '../daemon/core.js';
import { isLoopbackHost } from '../../shared/listen-address.js';
import { parseListenAddress, type ListenAddress } from './address.js';
import { openOpenAiDoor } from './http/openai.js';
import { loadOrCreateToken } from './token.js';
import { openWyomingDoor } from './wyoming.js';

export interface DoorsConfig {
  /** The OpenAI-compatible HTTP door: "[HOST:]PORT" or an address; absent = closed (the default). */
  http?: string | ListenAddress | null;
  /** The Wyoming door; absent = closed (the default). */
  wyoming?: string | ListenAddress | null;
  /** Browser origins allowed to call the HTTP door (none: no CORS headers). */
  corsOrigins?: string[];
  /** Where the HTTP door's token is kept (needed when it binds beyond loopback). */
  configDir: string;
}

export interface OpenDoors {
  /** One line per open door, for the log ("HTTP door (OpenAI API) on http://127.0.0.1:8880"). */
  lines: string[];
  close(): Promise<void>;
}

const addressOf = (a: string | ListenAddress) => (typeof a === 'string' ? parseListenAddress(a) : a);

export async function openDoors(
  core: DaemonCore,
  config: DoorsConfig,
  log: (message: string) => void,
): Promise<OpenDoors> {
  const closers: (() => Promise<void>)[] = [];
  const lines: string[] = [];
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  try {
    if (config.http) {
      const { host, port } = addressOf(config.http);
      const token = isLoopbackHost(host) ? null : loadOrCreateToken(config.configDir);
      const door = await openOpenAiDoor(core, {
        host,
        port,
        token,
        log,
        ...(config.corsOrigins?.length ? { corsOrigins: config.corsOrigins } : {}),
      });
      closers.push(door.close);
      lines.push(
        `HTTP door (OpenAI API) on ${door.address}${token ? ` (bearer token required: q3tts http token; kept in ${path.join(config.configDir, 'http-token')})` : ''}`,
      );
    }
    if (config.wyoming) {
      const { host, port } = addressOf(config.wyoming);
      const door = await openWyomingDoor(core, { host, port, log });
      closers.push(door.close);
      lines.push(`Wyoming door on ${door.address}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { lines, close };
}
