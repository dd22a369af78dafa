// The frames a node's DNS relay and the DNS server exchange over one unix stream socket: a query
// goes up as [u32 length][u32 request id][u8 transport: 0 UDP, 1 TCP][DNS message], its response
// comes back with the same id (transport byte unused). Ids are the relay's own, so clients'
// DNS ids never collide. Node built-ins only: the relay program imports this.

const HEADER = 9;
/** Larger frames mean a broken peer: the connection is dropped. */
const MAX_FRAME = 70_000;

export interface Frame {
  id: number;
  tcp: boolean;
  message: Buffer;
}

export function encodeFrame(frame: Frame): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(frame.message.length + HEADER - 4, 0);
  header.writeUInt32BE(frame.id, 4);
  header.writeUInt8(frame.tcp ? 1 : 0, 8);
  return Buffer.concat([header, frame.message]);
}

/** Splits a byte stream into frames; push() throws on a frame too large to be real. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_FRAME || length < HEADER - 4) throw new Error(`bad DNS relay frame of ${length} bytes`);
      if (this.buffered.length < 4 + length) break;
      frames.push({ id: this.buffered.readUInt32BE(4), tcp: this.buffered.readUInt8(8) === 1, message: this.buffered.subarray(HEADER, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    return frames;
  }
}

/** Splits a DNS-over-TCP stream (RFC 1035 4.2.2: a 2-byte length before each message) into messages. */
export class TcpMessageReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 2 && this.buffered.length >= 2 + this.buffered.readUInt16BE(0)) {
      const length = this.buffered.readUInt16BE(0);
      messages.push(this.buffered.subarray(2, 2 + length));
      this.buffered = this.buffered.subarray(2 + length);
    }
    return messages;
  }
}

export function tcpMessage(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}
