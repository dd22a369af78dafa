// Replies of the node's streaming server: Status JSON for errors (the API server passes them on
// to kubectl), and the same on a raw socket when a failed request was an upgrade.
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { PodStreamError } from "./streams-source.js";

const REASON_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error" };

export interface ErrorReply {
  code: number;
  reason: string;
  message: string;
}

export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof PodStreamError) return { code: err.code, reason: err.reason, message: err.message };
  return { code: 500, reason: "InternalError", message: err instanceof Error ? err.message : String(err) };
}

export function statusBody(reply: ErrorReply): string {
  return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: reply.message, reason: reply.reason, code: reply.code });
}

export function writeErrorResponse(res: ServerResponse, reply: ErrorReply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = statusBody(reply);
  res.writeHead(reply.code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** An HTTP error reply written on a socket whose request asked for an upgrade. */
export function writeErrorOnSocket(socket: Duplex, reply: ErrorReply): void {
  if (!socket.writable) return void socket.destroy();
  const body = statusBody(reply);
  socket.end(
    `HTTP/1.1 ${reply.code} ${REASON_TEXT[reply.code] ?? "Error"}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
