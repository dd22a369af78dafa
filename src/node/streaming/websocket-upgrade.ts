// Accepts a WebSocket upgrade with a subprotocol chosen from the ones we speak. Kubernetes'
// subprotocols are not all RFC 7230 tokens ("SPDY/3.1+portforward.k8s.io" has a "/"), which `ws`
// refuses; so we take the Sec-WebSocket-Protocol header out of ws's hands, choose ourselves
// (the client's order of preference, as upstream's wsstream does) and add the reply header.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";

/** Frames larger than this close the connection (exec stdin and tunnelled SPDY use small ones). */
const MAX_PAYLOAD = 16 * 1024 * 1024;

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

/** The protocols the client offers, in its order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  if (!header) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/** The first offered protocol we support, if any. */
export function chooseProtocol(req: IncomingMessage, supported: readonly string[]): string | undefined {
  return offeredProtocols(req).find((p) => supported.includes(p));
}

/** Completes the handshake with `protocol` (or none) and resolves with the open WebSocket. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string | undefined): Promise<WebSocket> {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  delete req.headers["sec-websocket-protocol"];
  if (protocol) server.on("headers", (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  return new Promise((resolve, reject) => {
    socket.once("close", () => reject(new Error("the connection closed during the WebSocket handshake")));
    server.handleUpgrade(req, socket, head, (ws) => {
      server.close();
      resolve(ws);
    });
  });
}
