// SPDY/3.1 framing: the 8-byte frame header, the control frames kubectl's port-forward uses
// (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE) and DATA.
// Header blocks stay compressed here; header-block.ts (de)compresses them. A FrameParser takes
// bytes in whatever pieces they arrive and yields whole frames in order.

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
const HEADER_LENGTH = 8;
/** Frames longer than this are a protocol error (SPDY allows 2^24-1; nobody needs that here). */
const MAX_FRAME_LENGTH = 0xffffff;

export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** RST_STREAM status codes (SPDY/3.1 §2.6.3). */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
} as const;

export type Frame =
  | { type: "data"; streamId: number; fin: boolean; data: Buffer }
  | { type: "syn_stream"; streamId: number; associatedStreamId: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: "syn_reply"; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: "headers"; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: "rst_stream"; streamId: number; status: number }
  | { type: "settings"; entries: { id: number; flags: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goaway"; lastGoodStreamId: number; status: number }
  | { type: "window_update"; streamId: number; delta: number }
  | { type: "unknown"; controlType: number };

export class SpdyProtocolError extends Error {}

/** Accumulates bytes and cuts them into frames. */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    while (this.buffer.length >= HEADER_LENGTH) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < HEADER_LENGTH + length) break;
      frames.push(decodeFrame(this.buffer.subarray(0, HEADER_LENGTH + length)));
      this.buffer = this.buffer.subarray(HEADER_LENGTH + length);
    }
    return frames;
  }
}

/** Decodes one whole frame (header included). */
export function decodeFrame(bytes: Buffer): Frame {
  const flags = bytes.readUInt8(4);
  const body = bytes.subarray(HEADER_LENGTH);
  if ((bytes.readUInt8(0) & 0x80) === 0) {
    return { type: "data", streamId: bytes.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: body };
  }
  const version = bytes.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const controlType = bytes.readUInt16BE(2);
  const fin = (flags & FLAG_FIN) !== 0;
  need(body, minimumBody(controlType), controlType);
  switch (controlType) {
    case ControlType.SynStream:
      return {
        type: "syn_stream",
        streamId: body.readUInt32BE(0) & 0x7fffffff,
        associatedStreamId: body.readUInt32BE(4) & 0x7fffffff,
        priority: body.readUInt8(8) >> 5,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: body.subarray(10),
      };
    case ControlType.SynReply:
      return { type: "syn_reply", streamId: body.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: body.subarray(4) };
    case ControlType.Headers:
      return { type: "headers", streamId: body.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: body.subarray(4) };
    case ControlType.RstStream:
      return { type: "rst_stream", streamId: body.readUInt32BE(0) & 0x7fffffff, status: body.readUInt32BE(4) };
    case ControlType.Settings:
      return { type: "settings", entries: decodeSettings(body) };
    case ControlType.Ping:
      return { type: "ping", id: body.readUInt32BE(0) };
    case ControlType.GoAway:
      return { type: "goaway", lastGoodStreamId: body.readUInt32BE(0) & 0x7fffffff, status: body.length >= 8 ? body.readUInt32BE(4) : 0 };
    case ControlType.WindowUpdate:
      return { type: "window_update", streamId: body.readUInt32BE(0) & 0x7fffffff, delta: body.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: "unknown", controlType };
  }
}

function minimumBody(controlType: number): number {
  switch (controlType) {
    case ControlType.SynStream:
      return 10;
    case ControlType.SynReply:
    case ControlType.Headers:
    case ControlType.Settings:
    case ControlType.Ping:
    case ControlType.GoAway:
      return 4;
    case ControlType.RstStream:
    case ControlType.WindowUpdate:
      return 8;
    default:
      return 0;
  }
}

function need(body: Buffer, bytes: number, controlType: number): void {
  if (body.length < bytes) throw new SpdyProtocolError(`control frame ${controlType} is too short (${body.length} bytes)`);
}

function decodeSettings(body: Buffer): { id: number; flags: number; value: number }[] {
  const count = body.readUInt32BE(0);
  if (body.length < 4 + count * 8) throw new SpdyProtocolError("SETTINGS frame is too short for its entries");
  const entries = [];
  for (let i = 0; i < count; i++) {
    const at = 4 + i * 8;
    entries.push({ flags: body.readUInt8(at), id: body.readUIntBE(at + 1, 3), value: body.readUInt32BE(at + 4) });
  }
  return entries;
}

// ---- encoding ----

function control(controlType: number, flags: number, body: Buffer): Buffer {
  if (body.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError("frame too long");
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(controlType, 2);
  header.writeUInt8(flags, 4);
  header.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([header, body]);
}

function words(...values: number[]): Buffer {
  const body = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  return body;
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  if (data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError("DATA frame too long");
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt8(fin ? FLAG_FIN : 0, 4);
  header.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([header, data]);
}

export function encodeSynStream(options: { streamId: number; associatedStreamId?: number; priority?: number; fin?: boolean; headerBlock: Buffer }): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(options.streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE((options.associatedStreamId ?? 0) & 0x7fffffff, 4);
  fixed.writeUInt8(((options.priority ?? 0) & 0x7) << 5, 8);
  return control(ControlType.SynStream, options.fin ? FLAG_FIN : 0, Buffer.concat([fixed, options.headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin: boolean): Buffer {
  return control(ControlType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([words(streamId & 0x7fffffff), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return control(ControlType.RstStream, 0, words(streamId & 0x7fffffff, status));
}

export function encodePing(id: number): Buffer {
  return control(ControlType.Ping, 0, words(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return control(ControlType.GoAway, 0, words(lastGoodStreamId & 0x7fffffff, status));
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return control(ControlType.WindowUpdate, 0, words(streamId & 0x7fffffff, delta & 0x7fffffff));
}

export function encodeSettings(entries: { id: number; value: number; flags?: number }[]): Buffer {
  const body = Buffer.alloc(4 + entries.length * 8);
  body.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    body.writeUInt8(e.flags ?? 0, 4 + i * 8);
    body.writeUIntBE(e.id, 5 + i * 8, 3);
    body.writeUInt32BE(e.value, 8 + i * 8);
  });
  return control(ControlType.Settings, 0, body);
}
