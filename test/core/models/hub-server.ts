// A local stand-in for the Hugging Face Hub, for the routes a pull uses, serving real files from disk:
//   /api/models/{repo}/revision/{rev}        → { sha }
//   /api/models/{repo}/tree/{rev}?recursive=true → file list (sizes, git oid or lfs sha256), paged with Link
//   /{repo}/resolve/{rev}/{path}             → 302 to /cdn/{repo}/{path} (this server, or the "cdn" server)
//   /cdn/{repo}/{path}                       → the bytes, with ETag, Accept-Ranges and Range (206/416)
// Faults are switched on per test (drop, stall, corrupt, slow, ignore range, auth) and every request is logged.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RepoFile {
  path: string;
  size: number;
  sha256: string;
  gitOid: string;
  lfs: boolean;
}

export interface LoggedRequest {
  path: string;
  range: string | undefined;
  auth: string | undefined;
  server: 'hub' | 'cdn';
}

export interface Faults {
  /** Files whose next full (or ranged) GET sends this many bytes, then cuts the connection. Once each. */
  dropAfter: Map<string, number>;
  /** Files whose next GET sends this many bytes, then goes silent (connection left open). Once each. */
  stallAfter: Map<string, number>;
  /** Files served with one byte flipped, this many times. */
  corrupt: Map<string, number>;
  /** Throttle the CDN to about this many bytes per second (0 = full speed). */
  bytesPerSecond: number;
  /** Answer Range requests with the whole file (200). */
  ignoreRange: boolean;
  /** API and resolve routes want "Authorization: Bearer <token>" (401 otherwise; 401 + wrong token too). */
  token: string | undefined;
  /** Redirect resolve to the second server (another origin), as the Hub does to its CDN. */
  crossOrigin: boolean;
  /** Answer these resolve paths with 404 EntryNotFound. */
  missingFiles: Set<string>;
  /** Answer API routes with this status (e.g. 503) this many times first. */
  apiFailures: { status: number; count: number };
  /** Answer CDN file requests with this status this many times first. */
  cdnFailures: { status: number; count: number };
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  commit: string;
  files(repo: string): RepoFile[];
  log: LoggedRequest[];
  faults: Faults;
  reset(): void;
  close(): Promise<void>;
}

function listFiles(dir: string): RepoFile[] {
  const out: RepoFile[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    const data = readFileSync(full);
    const size = statSync(full).size;
    out.push({
      path: rel,
      size,
      sha256: createHash('sha256').update(data).digest('hex'),
      gitOid: createHash('sha1').update(`blob ${size}\0`).update(data).digest('hex'),
      lfs: size >= 100_000, // big files live in LFS (sha256 known); small ones in git (blob sha1 known)
    });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const freshFaults = (): Faults => ({
  dropAfter: new Map(),
  stallAfter: new Map(),
  corrupt: new Map(),
  bytesPerSecond: 0,
  ignoreRange: false,
  token: undefined,
  crossOrigin: false,
  missingFiles: new Set(),
  apiFailures: { status: 0, count: 0 },
  cdnFailures: { status: 0, count: 0 },
});

/** Serves each repo id from a directory; unknown repos are 404 RepoNotFound (401 when a token is wanted, like the Hub). */
export async function startFakeHub(repos: Record<string, string>, pageSize = 10): Promise<FakeHub> {
  const commit = createHash('sha1').update('fake-commit').digest('hex');
  const listings = new Map(Object.entries(repos).map(([id, dir]) => [id, { dir, files: listFiles(dir) }]));
  const log: LoggedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let faults = freshFaults();

  const serveBytes = (req: http.IncomingMessage, res: http.ServerResponse, repo: string, file: string) => {
    const listing = listings.get(repo);
    const f = listing?.files.find((x) => x.path === file);
    if (!listing || !f) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
      return;
    }
    const etag = `"${f.lfs ? f.sha256 : f.gitOid}"`;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !faults.ignoreRange) {
      start = Number(m[1]);
      if (start >= f.size) {
        res.writeHead(416, { 'content-range': `bytes */${f.size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': f.size - start, 'content-range': `bytes ${start}-${f.size - 1}/${f.size}`, etag, 'accept-ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'content-length': f.size, etag, 'accept-ranges': 'bytes' });
    }
    const drop = faults.dropAfter.get(file);
    if (drop !== undefined) faults.dropAfter.delete(file);
    const stall = faults.stallAfter.get(file);
    if (stall !== undefined) faults.stallAfter.delete(file);
    const corruptLeft = faults.corrupt.get(file) ?? 0;
    if (corruptLeft > 0) faults.corrupt.set(file, corruptLeft - 1);
    const rate = faults.bytesPerSecond;
    const cut = drop ?? stall;
    let sent = 0;
    const stream = createReadStream(path.join(listing.dir, file), { start, highWaterMark: 16 * 1024 });
    stream.on('data', (chunk) => {
      let buf = chunk as Buffer;
      if (corruptLeft > 0 && start + sent <= 0 && sent + buf.length > 0) {
        buf = Buffer.from(buf);
        buf[0] = buf[0]! ^ 0xff;
      }
      if (cut !== undefined && sent + buf.length >= cut) {
        stream.destroy();
        res.write(buf.subarray(0, cut - sent), () => {
          if (drop !== undefined) res.socket?.destroy(); // connection reset mid-file
          // stall: keep the socket open and send nothing more
        });
        sent = cut;
        return;
      }
      sent += buf.length;
      const ok = res.write(buf);
      if (rate > 0) {
        stream.pause();
        setTimeout(() => stream.resume(), Math.ceil((buf.length / rate) * 1000));
      } else if (!ok) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => res.end());
  };

  const handler = (server: 'hub' | 'cdn') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    log.push({ path: p + url.search, range: req.headers.range, auth: req.headers.authorization, server });
    if (p.startsWith('/cdn/')) {
      if (faults.cdnFailures.count > 0) {
        faults.cdnFailures.count--;
        return res.writeHead(faults.cdnFailures.status).end();
      }
      const [, , owner, name, ...rest] = p.split('/');
      return serveBytes(req, res, `${owner}/${name}`, rest.join('/'));
    }
    if (server === 'cdn') return res.writeHead(404).end();
    if (faults.token !== undefined && req.headers.authorization !== `Bearer ${faults.token}`) {
      return res.writeHead(401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this model is restricted.' }).end();
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)$/.exec(p);
    if (api) {
      if (faults.apiFailures.count > 0) {
        faults.apiFailures.count--;
        return res.writeHead(faults.apiFailures.status).end();
      }
      const listing = listings.get(api[1]!);
      if (!listing) return res.writeHead(404, { 'x-error-code': 'RepoNotFound', 'content-type': 'application/json' }).end('{"error":"Repository not found"}');
      res.setHeader('content-type', 'application/json');
      if (api[2] === 'revision') return res.end(JSON.stringify({ id: api[1], sha: commit }));
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = listing.files.slice(cursor, cursor + pageSize);
      if (cursor + pageSize < listing.files.length) {
        res.setHeader('link', `<${url.pathname}?recursive=true&cursor=${cursor + pageSize}>; rel="next"`);
      }
      return res.end(
        JSON.stringify(
          page.map((f) => ({ type: 'file', path: f.path, size: f.size, oid: f.gitOid, ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}) })),
        ),
      );
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p);
    if (resolve) {
      const [, repo, , file] = resolve;
      if (!listings.has(repo!)) return res.writeHead(404, { 'x-error-code': 'RepoNotFound' }).end();
      if (faults.missingFiles.has(file!)) return res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
      const target = `/cdn/${repo}/${file!.split('/').map(encodeURIComponent).join('/')}?sig=abc`;
      return res.writeHead(302, { location: faults.crossOrigin ? `${cdnUrl}${target}` : target, 'x-repo-commit': commit }).end();
    }
    res.writeHead(404).end();
  };

  const listen = (h: http.RequestListener) =>
    new Promise<http.Server>((resolve) => {
      const s = http.createServer(h);
      s.on('connection', (c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
  const hub = await listen(handler('hub'));
  const cdn = await listen(handler('cdn'));
  const url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  const cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  return {
    url,
    cdnUrl,
    commit,
    files: (repo) => listings.get(repo)?.files ?? [],
    log,
    get faults() {
      return faults;
    },
    reset() {
      faults = freshFaults();
      log.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise((r) => s.close(r))));
    },
  };
}
