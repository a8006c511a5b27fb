// A small Hugging Face Hub client: the routes a pull needs, with redirects, auth and errors a person can act on.
//   GET {endpoint}/api/models/{repo}/revision/{rev}          → { sha }: the commit the revision points at
//   GET {endpoint}/api/models/{repo}/tree/{rev}?recursive=true → [{ type, path, size, oid, lfs?: { oid } }], paged by Link
//   GET {endpoint}/{repo}/resolve/{rev}/{path}               → the file, usually by a redirect to a CDN
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { ModelError } from './errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubOptions {
  /** HF_ENDPOINT (mirrors); default https://huggingface.co. */
  endpoint?: string | undefined;
  /** HF_TOKEN: sent as a Bearer token to the endpoint's host only (never to a CDN it redirects to). */
  token?: string | undefined;
  /** No byte for this long (connecting, waiting for headers or mid-body) aborts the request. */
  stallTimeoutMs?: number;
}

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content (the LFS oid), when the file is stored in LFS. */
  sha256?: string;
  /** git blob sha1 (small files kept in git rather than LFS). */
  gitOid?: string;
}

/** An open response, with whether it was cut by the stall timer. */
export interface HubResponse {
  res: IncomingMessage;
  url: URL;
  /** true once the stall timer fired (the body then ends with an error). */
  stalled(): boolean;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export function hubOptionsFromEnv(env: Record<string, string | undefined>): HubOptions {
  return { endpoint: env.HF_ENDPOINT || undefined, token: env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined };
}

export class Hub {
  readonly endpoint: URL;
  private readonly token: string | undefined;
  readonly stallTimeoutMs: number;

  constructor(options: HubOptions = {}) {
    this.endpoint = endpointUrl(options.endpoint || DEFAULT_ENDPOINT);
    this.token = options.token;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  resolveUrl(repo: string, revision: string, file: string): URL {
    return new URL(`${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`, this.endpoint);
  }

  /** The commit sha a revision (branch, tag or sha) points at; null when the endpoint does not say. */
  async commitOf(repo: string, revision: string, signal?: AbortSignal): Promise<string | null> {
    const url = new URL(`api/models/${repo}/revision/${encodeURIComponent(revision)}`, this.endpoint);
    const body = (await this.json(url, `${repo}@${revision}`, signal)) as { sha?: unknown };
    return typeof body.sha === 'string' ? body.sha : null;
  }

  /** Every file of the repository at a revision, with sizes and hashes (follows the Link: rel="next" pages). */
  async tree(repo: string, revision: string, signal?: AbortSignal): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let next: URL | undefined = new URL(`api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`, this.endpoint);
    for (let page = 0; next && page < 10_000; page++) {
      const { body, link } = await this.jsonWithLink(next, `${repo}@${revision}`, signal);
      if (!Array.isArray(body)) throw new ModelError('http', `the Hub at ${this.endpoint.origin} answered the file list of ${repo} with something that is not a list`);
      for (const e of body as Array<Record<string, unknown>>) {
        if (e.type !== 'file' || typeof e.path !== 'string' || typeof e.size !== 'number') continue;
        const lfs = e.lfs as { oid?: unknown } | undefined;
        const f: HubFile = { path: e.path, size: e.size };
        if (typeof lfs?.oid === 'string' && /^[0-9a-f]{64}$/.test(lfs.oid)) f.sha256 = lfs.oid;
        else if (typeof e.oid === 'string' && /^[0-9a-f]{40}$/.test(e.oid)) f.gitOid = e.oid;
        files.push(f);
      }
      next = link ? new URL(link, next) : undefined;
    }
    return files;
  }

  /**
   * GET with redirects (to other paths and hosts). Authorization goes only to the endpoint's own origin:
   * a CDN's signed URL needs none, and the token must not leak to it.
   */
  async get(url: URL, what: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<HubResponse> {
    let current = url;
    for (let hop = 0; hop <= 10; hop++) {
      const h: Record<string, string> = { 'user-agent': 'q3tts-models/1', ...headers };
      if (this.token && current.origin === this.endpoint.origin) h.authorization = `Bearer ${this.token}`;
      const opened = await this.open(current, h, signal);
      const { res } = opened;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        current = new URL(res.headers.location, current);
        continue;
      }
      if (status >= 200 && status < 300) return opened;
      if (status === 416) return opened; // range not satisfiable: the caller decides
      res.resume();
      throw this.httpError(status, res.headers, what);
    }
    throw new ModelError('http', `too many redirects fetching ${what} from ${url.origin}`);
  }

  private open(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<HubResponse> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let stalled = false;
      const req = mod.request(url, { method: 'GET', headers, agent: url.protocol === 'https:' ? agents.https : agents.http, ...(signal ? { signal } : {}) }, (res) => {
        resolve({ res, url, stalled: () => stalled });
      });
      // Socket idle time, so it covers connecting, waiting for headers and every gap in the body.
      req.setTimeout(this.stallTimeoutMs, () => {
        stalled = true;
        req.destroy(new ModelError('network', `no data from ${url.host} for ${Math.round(this.stallTimeoutMs / 1000)} s (stalled connection)`));
      });
      req.on('error', (err) => reject(stalled ? err : networkError(err, url)));
      req.end();
    });
  }

  private async json(url: URL, what: string, signal?: AbortSignal): Promise<unknown> {
    return (await this.jsonWithLink(url, what, signal)).body;
  }

  private async jsonWithLink(url: URL, what: string, signal?: AbortSignal): Promise<{ body: unknown; link: string | undefined }> {
    const { res } = await this.get(url, what, { accept: 'application/json' }, signal);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (err) {
      throw err instanceof ModelError ? err : networkError(err as Error, url);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ModelError('http', `${url.origin} answered ${url.pathname} with something that is not JSON: is HF_ENDPOINT a Hugging Face Hub?`);
    }
    const linkHeader = res.headers.link;
    const link = typeof linkHeader === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(linkHeader)?.[1] : undefined;
    return { body, link };
  }

  httpError(status: number, headers: IncomingMessage['headers'], what: string): ModelError {
    const hubCode = typeof headers['x-error-code'] === 'string' ? headers['x-error-code'] : undefined;
    const hubMessage = typeof headers['x-error-message'] === 'string' ? ` (the Hub says: ${headers['x-error-message']})` : '';
    const where = this.endpoint.origin;
    if (status === 401) {
      return new ModelError(
        'http',
        this.token
          ? `${where} refused HF_TOKEN for ${what} (401): the token is invalid or expired${hubMessage}`
          : `${where} wants a login for ${what} (401): the repository is gated, private or does not exist. Set HF_TOKEN to a Hugging Face access token${hubMessage}`,
        status,
      );
    }
    if (status === 403) {
      return new ModelError('http', `${where} forbids ${what} (403): accept the model's terms on its Hub page, or use a token with read access${hubMessage}`, status);
    }
    if (status === 404) {
      const kind = hubCode === 'RevisionNotFound' ? 'revision' : hubCode === 'EntryNotFound' ? 'file' : hubCode === 'RepoNotFound' ? 'repository' : 'repository, revision or file';
      return new ModelError('http', `${where} has no such ${kind}: ${what} (404)${hubMessage}`, status);
    }
    if (status === 429) return new ModelError('network', `${where} is rate-limiting downloads (429)`, status);
    if (status >= 500) return new ModelError('network', `${where} failed with ${status} on ${what}`, status);
    return new ModelError('http', `${where} answered ${status} for ${what}${hubMessage}`, status);
  }
}

/** A socket-level failure, worded for a person (no network, refused, reset). */
export function networkError(err: Error, url: URL): ModelError {
  if (err instanceof ModelError) return err;
  if (err.name === 'AbortError') return new ModelError('cancelled', 'cancelled');
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ModelError('network', `cannot find ${url.hostname}: no network, or DNS is not working (${code})`, undefined, true);
    case 'ECONNREFUSED':
      return new ModelError('network', `${url.host} refused the connection: no network, or HF_ENDPOINT points at nothing (${code})`, undefined, true);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new ModelError('network', `no network route to ${url.host} (${code})`, undefined, true);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ModelError('network', `the connection to ${url.host} was reset (${code})`);
    case 'ETIMEDOUT':
      return new ModelError('network', `connecting to ${url.host} timed out (${code})`);
    default:
      return new ModelError('network', `network error talking to ${url.host}: ${err.message}${code ? ` (${code})` : ''}`);
  }
}

/** Worth trying again: resets, timeouts, stalls, 5xx and 429. Not: 401/403/404, bad layout, full disk. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ModelError && err.kind === 'network';
}

/** The Hub's base URL, or a usage error naming HF_ENDPOINT (its only source) when it is not an http(s) URL. */
function endpointUrl(endpoint: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(endpoint.replace(/\/+$/, '') + '/');
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ModelError('usage', `HF_ENDPOINT '${endpoint}' is not an http(s) URL (a Hugging Face Hub mirror, e.g. https://hub.example.org)`);
  }
  return url;
}
