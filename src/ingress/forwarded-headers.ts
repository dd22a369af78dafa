// The headers a reverse proxy rewrites (RFC 9110 §7.6.1): hop-by-hop headers, and those the
// Connection header names, stay on their own hop; requests gain X-Forwarded-For (appended to any
// the client sent), X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Port, as the common
// ingress controllers send them. The Host header passes unchanged, so backends see the name the
// client asked for.
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization"];

/** The headers without hop-by-hop ones; `keepUpgrade` keeps Connection and Upgrade for a protocol switch. */
export function endToEndHeaders(headers: IncomingHttpHeaders, keepUpgrade = false): IncomingHttpHeaders {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== "");
  const drop = new Set([...HOP_BY_HOP, ...named]);
  if (keepUpgrade) {
    drop.delete("connection");
    drop.delete("upgrade");
  }
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!drop.has(name) && value !== undefined) result[name] = value;
  if (keepUpgrade) result.connection = "Upgrade";
  return result;
}

export interface ForwardedFor {
  scheme: "http" | "https";
  /** The listener's port, for X-Forwarded-Port. */
  port: number;
}

/** The request's headers as the backend receives them. */
export function forwardedRequestHeaders(req: IncomingMessage, via: ForwardedFor, upgrade: boolean): IncomingHttpHeaders {
  const headers = endToEndHeaders(req.headers, upgrade);
  delete headers.expect; // the listener has answered "100 Continue" itself
  const client = req.socket.remoteAddress ?? "";
  const previous = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = previous ? `${String(previous)}, ${client}` : client;
  headers["x-forwarded-proto"] = via.scheme;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-port"] = String(via.port);
  return headers;
}

/** The request line and headers of a request, as bytes for a raw socket (protocol upgrades). */
export function requestHead(req: IncomingMessage, headers: IncomingHttpHeaders): string {
  const lines = [`${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}
