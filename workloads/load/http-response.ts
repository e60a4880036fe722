/**
 * An HTTP/1.1 response parser for the generator's client (http-pool.ts), just big enough for a
 * GET on a keep-alive socket: status line, the three headers that frame the body
 * (Content-Length, Transfer-Encoding: chunked, Connection) and the body, which is skipped.
 *
 * Why not Node's parser or undici's llhttp: both build header arrays and objects per response,
 * and the generator's latency at high rates was its own per-request CPU and garbage (see
 * workloads/README.md, "Benchmark"). This one allocates nothing on a response that arrives in one
 * read; a head split across reads is copied once.
 *
 * Framing follows RFC 9112 section 6.3: 1xx responses are skipped (the final one follows), 204
 * and 304 have no body, chunked wins over Content-Length, and with neither the body runs until the
 * server closes.
 */

/** What feed() says about the response. */
export const NEED_MORE = 0;
/** The response ended exactly at the end of the bytes fed. */
export const DONE = 1;
/**
 * The response ended and more bytes followed it. The client sends one request at a time per
 * socket (no pipelining), so those bytes answer nothing it asked: the socket is not reused.
 */
export const DONE_EXTRA = 2;
export const PROTOCOL_ERROR = 3;
export type FeedResult = typeof NEED_MORE | typeof DONE | typeof DONE_EXTRA | typeof PROTOCOL_ERROR;

/** A head larger than this is refused (Node's own limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_EXT = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_END = 5;
const TRAILER = 6;
const UNTIL_CLOSE = 7;

/** Lower-case `name` (with its colon) equals the start of line [from, to) ignoring ASCII case. */
function startsWithName(b: Buffer, from: number, to: number, name: string): boolean {
  if (to - from < name.length) return false;
  for (let i = 0; i < name.length; i++) {
    // | 0x20 lower-cases ASCII letters and leaves ':' and '-' as they are.
    if (((b[from + i] as number) | 0x20) !== name.charCodeAt(i)) return false;
  }
  return true;
}

function headerValue(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to).trim().toLowerCase();
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

export class ResponseParser {
  /** Status of the final (non-1xx) response; 0 until its head is read. */
  status = 0;
  /** False when the socket must not carry another request (Connection: close, HTTP/1.0, body until close). */
  keepAlive = true;
  private state = HEAD;
  /** Bytes of body (or of the current chunk) still to skip. */
  private remaining = 0;
  private sizeDigits = 0;
  /** Bytes on the current trailer line other than CR. */
  private lineBytes = 0;
  /** Start of a head that has not ended yet, copied out of the read buffer. */
  private partial: Buffer | undefined;

  /** Ready for the next response on the same socket. */
  reset(): void {
    this.status = 0;
    this.keepAlive = true;
    this.state = HEAD;
    this.partial = undefined;
  }

  /** A body delimited by the server's close: the response is complete when the socket closes. */
  get endsAtClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /** Feeds bytes [from, to) of `b`; `b` may be reused by the caller once this returns. */
  feed(b: Buffer, from: number, to: number): FeedResult {
    let buf = b;
    let i = from;
    let end = to;
    while (i < end) {
      switch (this.state) {
        case HEAD: {
          if (this.partial) {
            buf = Buffer.concat([this.partial, buf.subarray(i, end)]);
            this.partial = undefined;
            i = 0;
            end = buf.length;
          }
          const at = buf.indexOf(HEAD_END, i);
          if (at < 0 || at + 4 > end) {
            if (end - i > MAX_HEAD_BYTES) return PROTOCOL_ERROR;
            this.partial = Buffer.from(buf.subarray(i, end));
            return NEED_MORE;
          }
          if (!this.head(buf, i, at + 2)) return PROTOCOL_ERROR;
          i = at + 4;
          break;
        }
        case BODY_LENGTH: {
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) return i < end ? DONE_EXTRA : DONE;
          break;
        }
        case UNTIL_CLOSE:
          return NEED_MORE;
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = CHUNK_DATA_END;
          break;
        }
        default: {
          const r = this.chunkFraming(buf[i] as number);
          i++;
          if (r === PROTOCOL_ERROR) return r;
          if (r === DONE) return i < end ? DONE_EXTRA : DONE;
        }
      }
    }
    // A head ending exactly here with no body to read (204, Content-Length: 0) is complete.
    if (this.state === BODY_LENGTH && this.remaining === 0 && this.status !== 0) return DONE;
    return NEED_MORE;
  }

  /** Parses a head [from, to) that ends with CRLF; sets the state for its body. */
  private head(b: Buffer, from: number, to: number): boolean {
    // "HTTP/1.x SSS": the version and a three-digit status.
    if (to - from < 14 || !startsWithName(b, from, to, 'http/1.') || b[from + 8] !== 0x20) return false;
    const minor = b[from + 7];
    let status = 0;
    for (let k = 9; k < 12; k++) {
      const d = (b[from + k] as number) - 0x30;
      if (d < 0 || d > 9) return false;
      status = status * 10 + d;
    }
    if (status < 100) return false;
    let keepAlive = minor === 0x31;
    let length = -1;
    let chunked = false;
    let line = b.indexOf(LF, from) + 1;
    while (line > 0 && line < to) {
      const lf = b.indexOf(LF, line);
      const eol = b[lf - 1] === CR ? lf - 1 : lf;
      if (startsWithName(b, line, eol, 'content-length:')) {
        const v = headerValue(b, line + 15, eol);
        if (!/^\d{1,15}$/.test(v)) return false;
        length = Number(v);
      } else if (startsWithName(b, line, eol, 'transfer-encoding:')) {
        chunked = headerValue(b, line + 18, eol).endsWith('chunked');
      } else if (startsWithName(b, line, eol, 'connection:')) {
        const v = headerValue(b, line + 11, eol);
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
      line = lf + 1;
    }
    if (status < 200) {
      // 101 Switching Protocols answers an upgrade this client never asks for.
      if (status === 101) return false;
      this.state = HEAD;
      return true;
    }
    this.status = status;
    this.keepAlive = keepAlive;
    if (status === 204 || status === 304) {
      this.state = BODY_LENGTH;
      this.remaining = 0;
    } else if (chunked) {
      this.state = CHUNK_SIZE;
      this.sizeDigits = 0;
      this.remaining = 0;
    } else if (length >= 0) {
      this.state = BODY_LENGTH;
      this.remaining = length;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return true;
  }

  /** One byte of chunk framing (size line, CRLF after data, trailers): DONE after the last. */
  private chunkFraming(c: number): FeedResult {
    switch (this.state) {
      case CHUNK_SIZE: {
        const d = hexDigit(c);
        if (d >= 0 && this.sizeDigits < 12) {
          this.remaining = this.remaining * 16 + d;
          this.sizeDigits++;
          return NEED_MORE;
        }
        if (this.sizeDigits === 0 || d >= 0) return PROTOCOL_ERROR;
        this.state = CHUNK_EXT;
        return this.chunkFraming(c);
      }
      case CHUNK_EXT:
        // Extensions (";name=value") and optional whitespace are ignored up to the LF.
        if (c !== LF) return NEED_MORE;
        if (this.remaining === 0) {
          this.state = TRAILER;
          this.lineBytes = 0;
        } else this.state = CHUNK_DATA;
        return NEED_MORE;
      case CHUNK_DATA_END:
        if (c === CR) return NEED_MORE;
        if (c !== LF) return PROTOCOL_ERROR;
        this.state = CHUNK_SIZE;
        this.sizeDigits = 0;
        this.remaining = 0;
        return NEED_MORE;
      default:
        // TRAILER: header lines, then an empty line ends the message.
        if (c === LF) {
          if (this.lineBytes === 0) {
            this.state = BODY_LENGTH;
            this.remaining = 0;
            return DONE;
          }
          this.lineBytes = 0;
        } else if (c !== CR) this.lineBytes++;
        return NEED_MORE;
    }
  }
}
