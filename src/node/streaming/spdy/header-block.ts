// SPDY/3 name/value header blocks: a count, then length-prefixed lowercase names and values
// (several values of one name joined by NUL), compressed with zlib primed with the SPDY/3
// dictionary. Each direction of a session has ONE compression context for its whole life, so
// blocks must be (de)compressed exactly in frame order: HeaderCodec serialises the work.
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { SPDY3_DICTIONARY } from "./dictionary.js";
import { SpdyProtocolError } from "./frames.js";

/** Header names (lowercase) to their values. */
export type SpdyHeaders = Map<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32(headers.size)];
  for (const [name, values] of headers) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(values.join("\0"), "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let at = 0;
  const read = (): Buffer => {
    if (at + 4 > block.length) throw new SpdyProtocolError("truncated header block");
    const length = block.readUInt32BE(at);
    if (at + 4 + length > block.length) throw new SpdyProtocolError("truncated header block");
    const bytes = block.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return bytes;
  };
  if (block.length < 4) throw new SpdyProtocolError("truncated header block");
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toString("utf8").toLowerCase();
    const values = read().toString("utf8").split("\0");
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** One direction's zlib context: each call is flushed with Z_SYNC_FLUSH so the block stands alone on the wire. */
class ZlibContext {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly stream: Deflate | Inflate) {
    stream.on("error", () => undefined);
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.queue.then(() => this.process(input));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private process(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.stream.destroyed) return reject(new SpdyProtocolError("the header compression context is closed"));
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer) => chunks.push(chunk);
      const onError = (err: Error) => {
        cleanup();
        reject(new SpdyProtocolError(`header block: ${err.message}`));
      };
      const cleanup = () => {
        this.stream.off("data", onData);
        this.stream.off("error", onError);
      };
      this.stream.on("data", onData);
      this.stream.once("error", onError);
      this.stream.write(input);
      this.stream.flush(constants.Z_SYNC_FLUSH, () => {
        cleanup();
        if (this.stream.destroyed) reject(new SpdyProtocolError("the header compression context is closed"));
        else resolve(Buffer.concat(chunks));
      });
    });
  }

  close(): void {
    this.stream.destroy();
  }
}

/** The compression state of one session: outgoing blocks are deflated, incoming inflated. */
export class HeaderCodec {
  private readonly deflate = new ZlibContext(createDeflate({ dictionary: SPDY3_DICTIONARY }));
  private readonly inflate = new ZlibContext(createInflate({ dictionary: SPDY3_DICTIONARY }));

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.deflate.run(encodeHeaderBlock(headers));
  }

  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.inflate.run(block));
  }

  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}
