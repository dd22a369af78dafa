// The httpGet probe, as upstream's probe/http: GET scheme://host:port/path through the target's
// dial function (TLS without certificate verification for HTTPS), User-Agent kube-probe/1.32 and
// Accept */* unless the probe sets them, a Host header taken as the request's host. Redirects are
// followed only while they stay on the first request's host (at most 10); a redirect elsewhere ends
// the probe with the 3xx response, a "warning". 200-299 succeed with the body (capped at 10 KiB),
// 300-399 warn, anything else fails with "HTTP probe failed with statuscode: N". The whole exchange
// shares one deadline, worded as Go's http.Client reports it.
import http from "node:http";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { realClock, type Clock } from "../../client/clock.js";
import { dialErrorText, errorReason } from "./dial-errors.js";
import { joinHostPort, resolveContainerPort } from "./ports.js";
import { MAX_OUTPUT_BYTES, PROBE_USER_AGENT, type HTTPGetAction, type ProbeOutcome } from "./probe-spec.js";
import type { ProbeTarget } from "./target.js";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const AWAITING_HEADERS = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
const READING_BODY = "context deadline exceeded (Client.Timeout or context cancellation while reading body)";

interface Hop {
  url: URL;
  /** The URL as Go prints it in errors: no "/" added to an empty path. */
  display: string;
  hostHeader?: string;
}

/** Raised for failures before a response arrived; the message is Go's url.Error text. */
class RequestError extends Error {}

export async function httpProbe(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number, clock: Clock = realClock): Promise<ProbeOutcome> {
  const headers = probeHeaders(action);
  let hop: Hop;
  try {
    hop = firstHop(action, target, headers);
  } catch (err) {
    return { result: "unknown", output: errorReason(err) };
  }
  const deadline = new Deadline(clock, timeoutMs);
  try {
    return await followRedirects(hop, headers, target, deadline);
  } catch (err) {
    if (err instanceof RequestError) return { result: "failure", output: err.message };
    return { result: "unknown", output: errorReason(err) };
  } finally {
    deadline.cancel();
  }
}

function firstHop(action: HTTPGetAction, target: ProbeTarget, headers: Map<string, string[]>): Hop {
  const scheme = (action.scheme ?? "HTTP").toLowerCase() || "http";
  const port = resolveContainerPort(action.port, target.container);
  const host = action.host || target.podIP;
  let path = action.path ?? "";
  if (path !== "" && !path.startsWith("/")) path = `/${path}`;
  const display = `${scheme}://${joinHostPort(host, port)}${path}`;
  // Appended to the authority, so that a path such as "//x" stays a path.
  return { url: new URL(`${scheme}://${joinHostPort(host, port)}${path || "/"}`), display, hostHeader: headerValue(headers, "host") };
}

/** The probe's headers in Go's canonical form, with kubelet's User-Agent and Accept defaults. */
function probeHeaders(action: HTTPGetAction): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { name, value } of action.httpHeaders ?? []) {
    const key = canonicalHeaderKey(name);
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  if (!headers.has("User-Agent")) headers.set("User-Agent", [PROBE_USER_AGENT]);
  if (!headers.has("Accept")) headers.set("Accept", ["*/*"]);
  else if ((headers.get("Accept")?.[0] ?? "") === "") headers.delete("Accept");
  return headers;
}

/** Go's textproto.CanonicalMIMEHeaderKey: "x-custom-header" becomes "X-Custom-Header". */
function canonicalHeaderKey(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join("-");
}

function headerValue(headers: Map<string, string[]>, name: string): string | undefined {
  return headers.get(canonicalHeaderKey(name))?.[0] || undefined;
}

async function followRedirects(first: Hop, headers: Map<string, string[]>, target: ProbeTarget, deadline: Deadline): Promise<ProbeOutcome> {
  let hop = first;
  for (let via = 0; ; via++) {
    const response = await send(hop, headers, target, deadline);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) return classify(response, deadline);
    const next = new URL(location, hop.url);
    // Upstream's RedirectChecker: only redirects on the first request's host are followed.
    if (next.hostname !== first.url.hostname) return classify(response, deadline);
    response.destroy();
    const nextDisplay = next.toString();
    if (via + 1 >= MAX_REDIRECTS) throw new RequestError(`Get "${nextDisplay}": stopped after ${MAX_REDIRECTS} redirects`);
    // Go keeps a custom Host header across a redirect only when the Location is relative.
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(location);
    hop = { url: next, display: nextDisplay, hostHeader: relative ? hop.hostHeader : undefined };
  }
}

async function classify(response: http.IncomingMessage, deadline: Deadline): Promise<ProbeOutcome> {
  const body = await readAtMost(response, deadline);
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return { result: "success", output: body };
  if (status >= 300 && status < 400) return { result: "warning", output: `Probe terminated redirects, Response body: ${body}` };
  return { result: "failure", output: `HTTP probe failed with statuscode: ${status}` };
}

function send(hop: Hop, headers: Map<string, string[]>, target: ProbeTarget, deadline: Deadline): Promise<http.IncomingMessage> {
  const port = Number(hop.url.port) || (hop.url.protocol === "https:" ? 443 : 80);
  const host = hop.url.hostname.replace(/^\[(.*)\]$/, "$1");
  const outgoing: Record<string, string[]> = {};
  for (const [name, values] of headers) if (name !== "Host") outgoing[name] = values;
  outgoing["Host"] = [hop.hostHeader ?? hop.url.host];
  outgoing["Connection"] = ["close"];
  return new Promise((resolve, reject) => {
    const fail = (text: string) => reject(new RequestError(`Get "${hop.display}": ${text}`));
    const request = http.request({
      method: "GET",
      path: hop.url.pathname + hop.url.search,
      headers: outgoing,
      setHost: false,
      createConnection: ((_opts: unknown, done: (err: Error | null, socket?: Duplex) => void) => {
        connect(target, host, port, hop.url.protocol === "https:").then(
          (socket) => done(null, socket),
          (err: unknown) => done(new DialError(dialErrorText(err, host, port))),
        );
        return undefined;
      }) as unknown as http.RequestOptions["createConnection"],
    });
    deadline.onExpire(() => {
      request.destroy();
      fail(AWAITING_HEADERS);
    });
    request.on("response", (response) => {
      deadline.onExpire(() => response.destroy());
      resolve(response);
    });
    request.on("error", (err) => fail(err instanceof DialError ? err.message : requestErrorText(err)));
    request.end();
  });
}

class DialError extends Error {}

async function connect(target: ProbeTarget, host: string, port: number, secure: boolean): Promise<Duplex> {
  const socket = await target.dial(host, port);
  if (!secure) return socket;
  // As kubelet: TLS without verifying the container's certificate.
  return tls.connect({ socket, rejectUnauthorized: false, servername: isIP(host) ? undefined : host, ALPNProtocols: ["http/1.1"] });
}

function requestErrorText(err: Error): string {
  // Node's "socket hang up" is Go's io.EOF: the server closed the connection without answering.
  if (err.message === "socket hang up") return "EOF";
  return errorReason(err);
}

/** Reads at most MAX_OUTPUT_BYTES of the body (upstream's ReadAtMost: truncation is not an error). */
function readAtMost(response: http.IncomingMessage, deadline: Deadline): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => resolve(Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString("utf8"));
    deadline.onExpire(() => {
      response.destroy();
      reject(new Error(READING_BODY));
    });
    response.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_OUTPUT_BYTES) {
        response.destroy();
        finish();
      }
    });
    response.on("end", finish);
    response.on("error", (err) => reject(err));
    response.on("close", finish);
  });
}

/** One timeout for the whole exchange (Go's Client.Timeout); whoever is waiting when it expires is told. */
class Deadline {
  private expired = false;
  private handler: (() => void) | undefined;
  private readonly timer;

  constructor(private readonly clock: Clock, ms: number) {
    this.timer = clock.setTimeout(() => {
      this.expired = true;
      this.handler?.();
    }, ms);
  }

  /** Replaces the current expiry handler; runs it at once when the deadline has already passed. */
  onExpire(handler: () => void): void {
    this.handler = handler;
    if (this.expired) handler();
  }

  cancel(): void {
    this.handler = undefined;
    this.clock.clearTimeout(this.timer);
  }
}
