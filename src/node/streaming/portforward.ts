// The port-forward protocol (portforward.k8s.io) on a SPDY session, as the kubelet speaks it: for
// each forwarded connection the client opens an "error" and a "data" stream carrying the same
// `requestID` and `port` headers. Once both have arrived we connect to the port inside the pod and
// copy bytes both ways over the data stream; a failure is written to the error stream as text.
// When the forwarding ends the error stream is closed (FIN), which tells the client it is done.
import type { Duplex } from "node:stream";
import type { SpdyHeaders } from "./spdy/header-block.js";
import { SpdySession, type SpdyStream } from "./spdy/session.js";

export const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
const STREAM_TYPE = "streamtype";
const PORT = "port";
const REQUEST_ID = "requestid";
/** The kubelet gives a request's second stream this long to arrive (its streamCreationTimeout). */
const DEFAULT_PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  /** For messages: "error forwarding port 80 to pod web-1, uid ...". */
  describe: string;
  /** A connection to the port inside the pod. */
  connect(port: number): Promise<Duplex>;
}

export interface PortForwardOptions {
  pairTimeoutMs?: number;
  onError?: (err: Error) => void;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves port-forward requests on a SPDY session over `transport` until it ends. */
export function servePortForward(transport: Duplex, target: PortForwardTarget, options: PortForwardOptions = {}): SpdySession {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(transport, { accept: isPortForwardStream, onError: options.onError });
  session.on("stream", (stream) => {
    stream.on("error", () => undefined);
    const key = requestKey(stream);
    let pair = pairs.get(key);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(key);
        const waiting = pair?.error ?? pair?.data;
        waiting?.abort();
      }, options.pairTimeoutMs ?? DEFAULT_PAIR_TIMEOUT_MS);
      timer.unref();
      pair = { timer };
      pairs.set(key, pair);
    }
    if (stream.header(STREAM_TYPE) === "error") pair.error = stream;
    else pair.data = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(key);
      void forward(pair.data, pair.error, target);
    }
  });
  session.on("close", () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
  });
  return session;
}

function isPortForwardStream(headers: SpdyHeaders): boolean {
  const type = headers.get(STREAM_TYPE)?.[0];
  return (type === "error" || type === "data") && headers.has(PORT);
}

/**
 * Old clients send no requestID; the kubelet then pairs an error stream with the data stream
 * opened right after it (stream ids n and n+2).
 */
function requestKey(stream: SpdyStream): string {
  const id = stream.header(REQUEST_ID);
  if (id !== undefined) return `r${id}`;
  return `s${stream.header(STREAM_TYPE) === "error" ? stream.id : stream.id - 2}`;
}

async function forward(data: SpdyStream, error: SpdyStream, target: PortForwardTarget): Promise<void> {
  const portText = data.header(PORT) ?? "";
  const port = Number(portText);
  // The client never writes to the error stream; read it so its FIN is consumed.
  error.resume();
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    finish(error, `invalid port ${JSON.stringify(portText)}`, data);
    return;
  }
  let conn: Duplex;
  try {
    conn = await target.connect(port);
  } catch (err) {
    finish(error, `error forwarding port ${port} to pod ${target.describe}: ${(err as Error).message}`, data);
    return;
  }
  await copyBothWays(data, conn);
  finish(error, undefined, data);
}

/** Bytes both ways; half-closes travel across; resolves when both directions are done or either side is torn down. */
function copyBothWays(data: SpdyStream, conn: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let pending = 2;
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      conn.destroy();
      resolve();
    };
    const oneDone = () => {
      if (--pending === 0) settle();
    };
    conn.on("error", () => settle());
    // The stream is gone (both directions done, reset, or its session ended with the client): so is the connection.
    data.on("close", () => settle());
    data.on("data", (chunk: Buffer) => {
      if (!conn.write(chunk)) data.pause();
    });
    conn.on("drain", () => data.resume());
    data.on("end", () => {
      conn.end();
      oneDone();
    });
    conn.on("data", (chunk: Buffer) => {
      if (!data.write(chunk)) conn.pause();
    });
    data.on("drain", () => conn.resume());
    conn.on("end", () => {
      if (!data.destroyed) data.end();
      oneDone();
    });
    conn.on("close", () => {
      if (pending > 0 && !data.writableEnded && !data.destroyed) data.end();
      settle();
    });
  });
}

function finish(error: SpdyStream, message: string | undefined, data: SpdyStream): void {
  if (!data.destroyed && !data.writableEnded) data.end();
  if (error.destroyed || error.writableEnded) return;
  if (message) error.write(message);
  error.end();
}
