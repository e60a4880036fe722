import { describe, expect, it } from 'vitest';
import {
  DONE,
  DONE_EXTRA,
  type FeedResult,
  MAX_HEAD_BYTES,
  NEED_MORE,
  PROTOCOL_ERROR,
  ResponseParser,
} from './http-response.js';

/** Feeds `pieces` one after the other through one scratch buffer (as the pool's shared read buffer). */
function feedPieces(p: ResponseParser, pieces: Buffer[]): FeedResult[] {
  const scratch = Buffer.alloc(4096, 0x7a);
  return pieces.map((piece) => {
    piece.copy(scratch, 0);
    const r = p.feed(scratch, 0, piece.length);
    // Whatever the parser kept must not point into the reused buffer.
    scratch.fill(0x7a);
    return r;
  });
}

/** Every way of cutting `text` in two, and byte by byte: each must end in DONE exactly at the end. */
function expectAtEverySplit(text: string, status: number, keepAlive: boolean): void {
  const bytes = Buffer.from(text, 'latin1');
  const cuts: Buffer[][] = [[bytes], Array.from(bytes, (b) => Buffer.from([b]))];
  for (let k = 1; k < bytes.length; k++) cuts.push([bytes.subarray(0, k), bytes.subarray(k)]);
  for (const pieces of cuts) {
    const p = new ResponseParser();
    const results = feedPieces(p, pieces);
    expect(results.at(-1)).toBe(DONE);
    expect(results.slice(0, -1).every((r) => r === NEED_MORE)).toBe(true);
    expect(p.status).toBe(status);
    expect(p.keepAlive).toBe(keepAlive);
  }
}

describe('ResponseParser', () => {
  it('a Content-Length response, whole or cut anywhere', () => {
    expectAtEverySplit('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello', 200, true);
  });

  it('a chunked response with an extension and a trailer, cut anywhere', () => {
    expectAtEverySplit(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n',
      200,
      true,
    );
  });

  it('skips 100 Continue and reads the final response', () => {
    expectAtEverySplit(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nno',
      404,
      true,
    );
  });

  it('204 and Content-Length: 0 end with the head; Connection: close and HTTP/1.0 are not kept alive', () => {
    expectAtEverySplit('HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n', 204, true);
    expectAtEverySplit('HTTP/1.1 200 OK\r\nCONNECTION: Close\r\ncontent-length: 0\r\n\r\n', 200, false);
    expectAtEverySplit('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx', 200, false);
    expectAtEverySplit('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx', 200, true);
  });

  it('bytes after the end of a response are reported (no pipelining: the socket is not reused)', () => {
    const p = new ResponseParser();
    const two =
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    expect(feedPieces(p, [Buffer.from(two)])).toEqual([DONE_EXTRA]);
    const q = new ResponseParser();
    expect(
      feedPieces(q, [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX')]),
    ).toEqual([DONE_EXTRA]);
  });

  it('without Content-Length or chunked the body runs until the close', () => {
    const p = new ResponseParser();
    expect(feedPieces(p, [Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome'), Buffer.from('more')])).toEqual([
      NEED_MORE,
      NEED_MORE,
    ]);
    expect(p.endsAtClose).toBe(true);
    expect(p.keepAlive).toBe(false);
    expect(p.status).toBe(200);
  });

  it('refuses what is not an HTTP/1.x response', () => {
    const bad = [
      'hello world\r\n\r\n',
      'HTTP/1.1 2x0 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n',
    ];
    for (const text of bad) {
      expect([text, new ResponseParser().feed(Buffer.from(text), 0, text.length)]).toEqual([
        text,
        PROTOCOL_ERROR,
      ]);
    }
    const huge = Buffer.alloc(MAX_HEAD_BYTES + 1, 0x61);
    expect(new ResponseParser().feed(huge, 0, huge.length)).toBe(PROTOCOL_ERROR);
  });

  it('reset() makes it ready for the next response on the same socket', () => {
    const p = new ResponseParser();
    expect(feedPieces(p, [Buffer.from('HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\n')])).toEqual([
      NEED_MORE,
    ]);
    p.reset();
    expect(feedPieces(p, [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx')])).toEqual([DONE]);
    expect(p.status).toBe(200);
  });
});
