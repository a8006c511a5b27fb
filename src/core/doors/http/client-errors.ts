// What the HTTP door says when Node's parser rejects bytes on a connection ('clientError'). Node's default
// answers a bare 400 without a body, and a listener that only destroys the socket leaves the client with a
// closed connection and no reason. Here the client gets one response in the door's OpenAI error shape where
// it can still read one, then the connection is closed (its byte stream cannot be trusted any more).
//
// The common case is a Content-Length shorter than the body: the parser takes the declared bytes as the
// body, then fails on the rest as if it were the next request — while the first one is still being handled.
// That request is the one to answer (400, naming the mismatch); a second response written beside it would
// corrupt the stream.
import type http from 'node:http';
import type { Duplex } from 'node:stream';

export class ClientErrors {
  /** The response being prepared on each connection (one at a time: the door does not pipeline). */
  private readonly inFlight = new WeakMap<Duplex, { req: http.IncomingMessage; res: http.ServerResponse }>();
  /** Connections whose current request was followed by bytes that are not HTTP. */
  private readonly overrun = new WeakSet<Duplex>();

  /** Called for every request: its response is the one to answer if the connection's bytes go bad. */
  track(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    this.inFlight.set(socket, { req, res });
    res.once('finish', () => {
      if (this.inFlight.get(socket)?.res === res) this.inFlight.delete(socket);
    });
  }

  /** Whether bytes that are not HTTP followed this request's body (its Content-Length was short of the body). */
  overran(req: http.IncomingMessage): boolean {
    return this.overrun.has(req.socket);
  }

  /** The server's 'clientError' listener. */
  readonly handle = (err: Error & { code?: string }, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const current = this.inFlight.get(socket);
    if (current && !current.res.writableEnded) {
      const { req, res } = current;
      if (req.complete) {
        // A whole request is being answered: its answer is the one response; the connection closes after it.
        this.overrun.add(socket);
        if (!res.headersSent) res.setHeader('Connection', 'close');
        res.once('finish', () => socket.end(() => socket.destroy()));
        return;
      }
      // The request itself went bad (its body cut short, a broken chunk): it will never be complete.
      if (res.headersSent) {
        socket.destroy();
        return;
      }
    }
    const [status, reason, code, message] = describe(err);
    const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  };
}

/** Status, reason phrase, error code and message for a parser error with no request being answered. */
function describe(err: Error & { code?: string }): [number, string, string, string] {
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return [431, 'Request Header Fields Too Large', 'headers_too_large', 'the request headers are too large'];
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'Request Timeout', 'request_timeout', 'the request was not sent in time'];
  if (err.code === 'HPE_INVALID_EOF_STATE')
    return [
      400,
      'Bad Request',
      'incomplete_request',
      'the request ended before it was complete (a body shorter than its Content-Length, or headers cut short)',
    ];
  const why = (err as { reason?: string }).reason ?? err.message;
  return [400, 'Bad Request', 'bad_request', `the request is not valid HTTP/1.1 (${why})`];
}
