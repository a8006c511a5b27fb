// The soak's HTTP client kind (issue 16): one request to the OpenAI-compatible door, chosen at random — speech as
// wav or pcm (whole, or streamed and abandoned mid-body, which must cancel it), a malformed body, a wrong method or
// path, or a request whose headers lie about its body. Each must end in exactly one complete response, or in a
// clean close after the client gave up on it; anything else is recorded as a problem.
import http from 'node:http';
import net from 'node:net';

/** What happened to one request: `outcome` goes into the soak's counts, `problem` (if any) fails it. */
export type Record = (outcome: string, problem?: string) => void;

const TEXTS = ['Hello there.', 'A short one, then another.', 'Zwölf Boxkämpfer jagen Viktor.'];
const ANSWER_MS = 60_000; // a contended machine; past this the request counts as never answered

interface Exchange {
  status: number;
  body: Buffer;
  complete: boolean;
}

/** One request on a connection of its own (no keep-alive, so the daemon's fds must come back). */
function exchange(
  base: URL,
  method: string,
  pathName: string,
  body: string | undefined,
  abandonAfterBytes?: number,
): Promise<Exchange | 'abandoned' | 'no answer'> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path: pathName,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          parts.push(d);
          size += d.length;
          if (abandonAfterBytes !== undefined && size >= abandonAfterBytes && res.statusCode === 200) {
            clearTimeout(timer);
            req.destroy();
            resolve('abandoned');
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), complete: res.complete });
        });
        res.on('aborted', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), complete: false });
        });
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, ANSWER_MS);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ status: 0, body: Buffer.alloc(0), complete: false });
    });
    req.end(body);
  });
}

/** A request whose Content-Length lies, on a raw socket: the first response must be a 4xx, or a clean close. */
function lyingRequest(base: URL, raw: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(Number(base.port), base.hostname);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(got ? got : 'no answer'); // a body that never comes: the door's 30 s limit is longer than we wait
    }, 5000);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got || 'closed');
    });
    s.once('connect', () => s.write(raw));
  });
}

export async function httpRequest(base: URL, random: () => number, record: Record): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const kind = pick(['speech', 'speech', 'abandon', 'malformed', 'lying'] as const);
  if (kind === 'lying') {
    const body = '{"model":"tts-1","input":"Hello.","voice":"alloy"}';
    const short = `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n${body}`;
    const raw = pick([
      // shorter than the body: the door answers 400 (content_length_mismatch) and closes; nothing else will do
      short,
      // longer than the body: the door waits for the rest; we give up and close
      `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n${body}`,
      `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n${body}`,
      `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n${body}`,
      `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n`,
    ]);
    const got = await lyingRequest(base, raw);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(got)?.[1];
    if (raw === short && !(status === '400' && got.includes('content_length_mismatch')))
      record('http:lying:bad', `a Content-Length shorter than the body got: ${JSON.stringify(got.slice(0, 120))}`);
    else if (status && /^4/.test(status)) record(`http:lying:${status}`);
    else if (got === 'closed' || got === 'no answer') record('http:lying:closed');
    else record('http:lying:bad', `a lying HTTP request got: ${JSON.stringify(got.slice(0, 120))}`);
    return;
  }
  if (kind === 'malformed') {
    const [method, where, body] = pick([
      ['POST', '/v1/audio/speech', '{not json'],
      ['POST', '/v1/audio/speech', '[1,2,3]'],
      ['POST', '/v1/audio/speech', '{"model":"tts-1","input":"x","voice":"alloy","bogus":1}'],
      ['POST', '/v1/audio/speech', '{"model":"tts-1","input":"x","voice":"no-such-voice"}'],
      ['POST', '/v1/audio/speech', '{"model":"tts-1","input":"x","voice":"alloy","response_format":"wma"}'],
      ['POST', '/v1/audio/speech', `{"model":"tts-1","input":"${'x'.repeat(1_100_000)}","voice":"alloy"}`],
      ['GET', '/v1/audio/speech', undefined],
      ['DELETE', '/v1/models', undefined],
      ['POST', '/v2/nowhere', '{}'],
    ] as const);
    const r = await exchange(base, method, where, body);
    if (r === 'no answer' || r === 'abandoned') return record('http:no answer', `${method} ${where} never answered`);
    // 4xx; or 503 while the handlers file is broken by the chaos (the door validates through it)
    const ok =
      r.complete && (r.status < 500 || r.status === 503) && r.status >= 400 && /"error"/.test(r.body.toString());
    // a 413 may be sent before the whole body is read, and the connection closed under the rest
    if (ok || (r.status === 413 && r.body.length > 0)) return record(`http:${r.status}`);
    return record(
      `http:bad ${r.status}`,
      `${method} ${where} (malformed) got ${r.status}${r.complete ? '' : ' (cut short)'}: ${r.body.toString().slice(0, 120)}`,
    );
  }
  const format = pick(['wav', 'pcm', 'mp3'] as const); // mp3: an ffmpeg encoder per request
  const request = JSON.stringify({
    model: 'tts-1',
    input: pick(TEXTS),
    voice: 'alloy',
    response_format: format,
    max_new_tokens: 8 + Math.floor(random() * 16),
    seed: Math.floor(random() * 1000),
    ...(kind === 'abandon' || random() < 0.3 ? { stream_format: 'audio' } : {}),
  });
  const r = await exchange(base, 'POST', '/v1/audio/speech', request, kind === 'abandon' ? 1 : undefined);
  if (r === 'abandoned') return record('http:abandoned');
  if (r === 'no answer') return record('http:no answer', `a ${format} speech request never answered`);
  if (r.status === 200) {
    const audio = format === 'wav' ? r.body.subarray(44) : r.body;
    const headerOk =
      format === 'pcm' ||
      (format === 'wav' && r.body.subarray(0, 4).toString() === 'RIFF') ||
      (format === 'mp3' && (r.body.subarray(0, 3).toString() === 'ID3' || (r.body[0] === 0xff && r.body[1]! >= 0xe0)));
    // a 200 cut short is an engine failure after audio began (the engine is being killed): a clean close
    if (!r.complete) return record('http:200 cut short');
    if (headerOk && audio.length > 0 && (format === 'mp3' || audio.length % 2 === 0)) return record('http:200');
    return record('http:bad audio', `a ${format} 200 response with ${r.body.length} bytes is not whole audio`);
  }
  // 499: cancelled by another client's interrupt; 429 queue full; 500 engine killed; 503 handlers broken
  if (r.complete && [429, 499, 500, 503].includes(r.status)) return record(`http:${r.status}`);
  // an abandoned request may have been answered (an error) before the first byte of audio
  if (kind === 'abandon' && r.complete && r.status >= 400) return record(`http:${r.status}`);
  record(`http:bad ${r.status}`, `a ${format} speech request got ${r.status}: ${r.body.toString().slice(0, 120)}`);
}
