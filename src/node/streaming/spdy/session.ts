// The server side of a SPDY/3.1 session over any byte Duplex (an upgraded socket, or a WebSocket
// tunnel): the peer opens streams with SYN_STREAM, we answer SYN_REPLY (FIN when refused), DATA
// flows both ways with FIN for half-close, RST_STREAM aborts a stream, PINGs are echoed, GOAWAY or
// the transport ending closes everything. Each stream is a Node Duplex.
//
// Frames are handled strictly in order (header blocks share one zlib context per direction), and
// written strictly in order. Flow control windows are not enforced: the Go peer (spdystream) does
// not enforce them either, and we never send WINDOW_UPDATE.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, FrameParser, RstStatus, type Frame,
} from "./frames.js";
import { HeaderCodec, type SpdyHeaders } from "./header-block.js";

/** DATA frames we send carry at most this many bytes. */
const MAX_DATA_CHUNK = 32 * 1024;

export interface SpdySessionOptions {
  /** Whether to accept a stream the peer opens (false: SYN_REPLY with FIN, then the stream is dropped). */
  accept?: (headers: SpdyHeaders) => boolean;
  onError?: (err: Error) => void;
}

export class SpdyStream extends Duplex {
  /** True once the peer reset the stream (or we did). */
  reset = false;

  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header, by lowercase name. */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => done(), done);
  }

  /** Aborts the stream: RST_STREAM to the peer, local side destroyed. */
  abort(status: number = RstStatus.Cancel): void {
    if (this.reset || this.destroyed) return;
    this.reset = true;
    void this.session.sendRaw(encodeRstStream(this.id, status));
    this.destroy();
  }
}

export class SpdySession extends EventEmitter<{ stream: [SpdyStream]; close: [] }> {
  private readonly parser = new FrameParser();
  private readonly codec = new HeaderCodec();
  private readonly streams = new Map<number, SpdyStream>();
  private incoming: Promise<void> = Promise.resolve();
  private outgoing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;

  constructor(private readonly transport: Duplex, private readonly options: SpdySessionOptions = {}) {
    super();
    transport.on("data", (chunk: Buffer) => this.receive(chunk));
    transport.on("end", () => this.close());
    transport.on("close", () => this.close());
    transport.on("error", (err: Error) => {
      this.options.onError?.(err);
      this.close();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends the session: GOAWAY, every stream destroyed, the transport ended. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.transport.writable) this.transport.write(encodeGoAway(this.lastStreamId));
    for (const stream of this.streams.values()) stream.destroy();
    this.streams.clear();
    this.codec.close();
    this.transport.end();
    this.emit("close");
  }

  sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    if (data.length <= MAX_DATA_CHUNK) return this.sendRaw(encodeData(streamId, data, fin));
    let last: Promise<void> = Promise.resolve();
    for (let at = 0; at < data.length; at += MAX_DATA_CHUNK) {
      const end = Math.min(at + MAX_DATA_CHUNK, data.length);
      last = this.sendRaw(encodeData(streamId, data.subarray(at, end), fin && end === data.length));
    }
    return last;
  }

  /** Queues bytes (or bytes still being built) after everything queued before. */
  sendRaw(frame: Buffer | (() => Promise<Buffer>)): Promise<void> {
    const next = this.outgoing.then(async () => {
      if (this.closed) throw new Error("the SPDY session is closed");
      const bytes = typeof frame === "function" ? await frame() : frame;
      await writeWithBackpressure(this.transport, bytes);
    });
    this.outgoing = next.catch(() => undefined);
    return next;
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      this.incoming = this.incoming.then(() => this.handle(frame)).catch((err: Error) => this.fail(err));
    }
  }

  private fail(err: Error): void {
    this.options.onError?.(err);
    this.close();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case "syn_stream":
        return this.open(frame.streamId, await this.codec.decompress(frame.headerBlock), frame.fin);
      case "headers":
        await this.codec.decompress(frame.headerBlock); // keeps the zlib context in step
        if (frame.fin) this.remoteFinished(frame.streamId);
        return;
      case "syn_reply":
        await this.codec.decompress(frame.headerBlock);
        return;
      case "data":
        return this.data(frame.streamId, frame.data, frame.fin);
      case "rst_stream": {
        const stream = this.streams.get(frame.streamId);
        this.streams.delete(frame.streamId);
        if (stream) {
          stream.reset = true;
          stream.destroy();
        }
        return;
      }
      case "ping":
        void this.sendRaw(encodePing(frame.id)).catch(() => undefined);
        return;
      case "goaway":
        this.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE and unknown control frames need no answer
    }
  }

  private open(id: number, headers: SpdyHeaders, fin: boolean): void {
    if (this.streams.has(id) || id <= this.lastStreamId || id % 2 === 0) {
      void this.sendRaw(encodeRstStream(id, RstStatus.ProtocolError)).catch(() => undefined);
      return;
    }
    this.lastStreamId = id;
    const accepted = this.options.accept?.(headers) ?? true;
    void this.sendRaw(async () => encodeSynReply(id, await this.codec.compress(new Map()), !accepted)).catch(() => undefined);
    if (!accepted) return;
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    stream.on("close", () => this.streams.delete(id));
    if (fin) stream.push(null);
    this.emit("stream", stream);
  }

  private data(id: number, data: Buffer, fin: boolean): void {
    const stream = this.streams.get(id);
    if (!stream) return; // late data for a stream we dropped
    if (data.length > 0) stream.push(data);
    if (fin) this.remoteFinished(id);
  }

  private remoteFinished(id: number): void {
    this.streams.get(id)?.push(null);
  }
}

function writeWithBackpressure(transport: Duplex, bytes: Buffer): Promise<void> {
  if (transport.destroyed || !transport.writable) return Promise.reject(new Error("the transport is closed"));
  if (transport.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      transport.off("close", onClose);
      resolve();
    };
    const onClose = () => {
      transport.off("drain", onDrain);
      reject(new Error("the transport closed"));
    };
    transport.once("drain", onDrain);
    transport.once("close", onClose);
  });
}
