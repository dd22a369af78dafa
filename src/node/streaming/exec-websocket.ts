// Runs an exec (or attach) session behind a WebSocket speaking the channel protocol: client stdin
// (channel 0) goes to the process, its stdout/stderr come back on channels 1 and 2, resize
// messages (4) resize its terminal, and when it has exited and its output is drained the exit
// Status goes on channel 3 and the WebSocket closes normally. v5 clients half-close stdin with
// [255, 0]; v4 clients' stdin ends with the connection.
import type { Readable } from "node:stream";
import type { WebSocket } from "ws";
import type { ExecSession } from "../runtime/runtime.js";
import {
  Channel, decodeChannelMessage, encodeChannelMessage, exitStatus, failureStatus, parseResize, V5_PROTOCOL,
} from "./channel-protocol.js";

/** Output is paused while more than this many bytes wait in the WebSocket's send buffer. */
const HIGH_WATER = 1024 * 1024;

export interface ExecBridgeOptions {
  protocol: string;
  /** Starts the session (runtime.exec or runtime.attach). */
  start: () => Promise<ExecSession>;
  /** For the exit message: "error executing command [sh -c ...]". */
  command: readonly string[];
  /** Kill the session when the client goes away (exec yes; attach must not kill the container). */
  killOnDisconnect: boolean;
}

export async function bridgeExecToWebSocket(ws: WebSocket, options: ExecBridgeOptions): Promise<void> {
  const supportsClose = options.protocol === V5_PROTOCOL;
  const pendingStdin: (Buffer | null)[] = [];
  let session: ExecSession | undefined;
  let clientGone = false;

  ws.on("message", (raw: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    let message;
    try {
      message = decodeChannelMessage(raw, supportsClose);
    } catch {
      ws.close(1002, "protocol error");
      return;
    }
    if (!message) return;
    if (message.kind === "close") {
      if (message.channel === Channel.Stdin) toStdin(null);
      return;
    }
    if (message.channel === Channel.Stdin) toStdin(message.data);
    else if (message.channel === Channel.Resize) {
      const size = parseResize(message.data);
      if (size && session) session.resize(size);
    }
  });
  ws.on("close", () => {
    clientGone = true;
    toStdin(null);
    if (options.killOnDisconnect) session?.kill();
  });
  ws.on("error", () => undefined);

  function toStdin(chunk: Buffer | null): void {
    if (!session) {
      pendingStdin.push(chunk);
      return;
    }
    const stdin = session.stdin;
    if (!stdin || stdin.writableEnded || stdin.destroyed) return;
    if (chunk === null) stdin.end();
    else stdin.write(chunk);
  }

  try {
    session = await options.start();
  } catch (err) {
    sendAndClose(ws, failureStatus((err as Error).message));
    return;
  }
  session.stdin?.on("error", () => undefined);
  if (clientGone && options.killOnDisconnect) session.kill();
  for (const chunk of pendingStdin.splice(0)) toStdin(chunk);

  const outputs = [pump(ws, session.stdout, Channel.Stdout), pump(ws, session.stderr, Channel.Stderr)];
  const exitCode = await session.exited;
  await Promise.all(outputs);
  if (!clientGone) sendAndClose(ws, exitStatus(exitCode, options.command));
}

/** Copies one output stream to its channel; resolves when it has ended. */
function pump(ws: WebSocket, stream: Readable | undefined, channel: number): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    stream.on("data", (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encodeChannelMessage(channel, chunk), { binary: true }, () => {
        if (stream.isPaused() && ws.bufferedAmount < HIGH_WATER) stream.resume();
      });
      if (ws.bufferedAmount >= HIGH_WATER) stream.pause();
    });
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

function sendAndClose(ws: WebSocket, status: string): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(encodeChannelMessage(Channel.Error, status), { binary: true }, () => ws.close(1000));
}
