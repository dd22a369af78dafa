// The grpc probe, as upstream's probe/grpc: grpc.health.v1.Health/Check over plaintext HTTP/2 (h2c)
// to podIP:port through the target's dial function, asking for probe.grpc.service. SERVING succeeds
// ("service healthy"); any other answer or error fails, worded as upstream. Like grpc-go's blocking
// dial, a connection that cannot be made is retried until the timeout, which then reads
// `timeout: failed to connect service "IP:PORT" within 1s: context deadline exceeded`.
import http2 from "node:http2";
import type { Duplex } from "node:stream";
import protobuf from "protobufjs";
import { realClock, type Clock } from "../../client/clock.js";
import { withTimeout } from "./dial-errors.js";
import { joinHostPort } from "./ports.js";
import { goDuration, PROBE_USER_AGENT, type GRPCAction, type ProbeOutcome } from "./probe-spec.js";
import type { ProbeTarget } from "./target.js";
import { goQuote } from "../../api/validation/go-quote.js";

const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
`;
const HEALTH = protobuf.parse(HEALTH_PROTO).root;
const REQUEST = HEALTH.lookupType("grpc.health.v1.HealthCheckRequest");
const RESPONSE = HEALTH.lookupType("grpc.health.v1.HealthCheckResponse");
const SERVING_STATUS = HEALTH.lookupEnum("grpc.health.v1.HealthCheckResponse.ServingStatus");
const CHECK_PATH = "/grpc.health.v1.Health/Check";

/** grpc-go's codes.Code String values, by number. */
const CODE_NAMES = ["OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"];
const UNIMPLEMENTED = 12;
const DEADLINE_EXCEEDED = 4;
/** grpc-go's first reconnect backoff. */
const RECONNECT_BACKOFF_MS = 1000;

interface RpcStatus {
  code: number;
  message: string;
  body: Buffer;
}

class RpcTimeout extends Error {}

export async function grpcProbe(action: GRPCAction, target: ProbeTarget, timeoutMs: number, clock: Clock = realClock): Promise<ProbeOutcome> {
  const addr = joinHostPort(target.podIP, action.port);
  const startedAt = clock.now();
  const remaining = () => timeoutMs - (clock.now() - startedAt);
  const session = await connect(target, action.port, remaining, clock);
  if (!session) {
    return { result: "failure", output: `timeout: failed to connect service ${goQuote(addr)} within ${goDuration(timeoutMs)}: context deadline exceeded` };
  }
  try {
    const status = await withTimeout(clock, check(session, action.service ?? "", remaining()), Math.max(0, remaining()), () => new RpcTimeout());
    return outcome(status, timeoutMs);
  } catch (err) {
    if (err instanceof RpcTimeout) return { result: "failure", output: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` };
    return { result: "failure", output: `error: health rpc probe failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    session.destroy();
  }
}

function outcome(status: RpcStatus, timeoutMs: number): ProbeOutcome {
  if (status.code === UNIMPLEMENTED) {
    return { result: "failure", output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${status.message}` };
  }
  if (status.code === DEADLINE_EXCEEDED) return { result: "failure", output: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` };
  if (status.code !== 0) {
    return { result: "failure", output: `error: health rpc probe failed: rpc error: code = ${CODE_NAMES[status.code] ?? `Code(${status.code})`} desc = ${status.message}` };
  }
  const serving = decodeStatus(status.body);
  if (serving !== "SERVING") return { result: "failure", output: `service unhealthy (responded with ${goQuote(serving)})` };
  return { result: "success", output: "service healthy" };
}

/** Dials and completes the HTTP/2 handshake, retrying after grpc-go's backoff until the time is up. */
async function connect(target: ProbeTarget, port: number, remaining: () => number, clock: Clock): Promise<http2.ClientHttp2Session | undefined> {
  while (remaining() > 0) {
    try {
      return await withTimeout(clock, openSession(target, port), remaining(), () => new RpcTimeout());
    } catch (err) {
      if (err instanceof RpcTimeout) return undefined;
      const wait = Math.min(RECONNECT_BACKOFF_MS, remaining());
      await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
    }
  }
  return undefined;
}

async function openSession(target: ProbeTarget, port: number): Promise<http2.ClientHttp2Session> {
  const socket: Duplex = await target.dial(target.podIP, port);
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${joinHostPort(target.podIP, port)}`, { createConnection: () => socket });
    session.once("remoteSettings", () => resolve(session));
    // Errors after the handshake reach the pending call through its stream; none may go unheard.
    session.on("error", (err) => {
      session.destroy();
      reject(err);
    });
    session.once("close", () => reject(new Error("connection closed before the HTTP/2 handshake")));
  });
}

function check(session: http2.ClientHttp2Session, service: string, timeoutMs: number): Promise<RpcStatus> {
  const message = Buffer.from(REQUEST.encode(REQUEST.create({ service })).finish());
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": CHECK_PATH,
      "content-type": "application/grpc",
      te: "trailers",
      "user-agent": PROBE_USER_AGENT,
      "grpc-timeout": `${Math.max(1, Math.ceil(timeoutMs))}m`,
    });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (err) => reject(new Error(`rpc error: code = Unavailable desc = ${err.message}`)));
    stream.on("end", () => resolve(rpcStatus(headers, trailers, Buffer.concat(chunks))));
    stream.end(frame);
  });
}

/** grpc-status from the trailers (or a trailers-only response); an HTTP error status mapped as grpc-go does. */
function rpcStatus(headers: http2.IncomingHttpHeaders, trailers: http2.IncomingHttpHeaders, body: Buffer): RpcStatus {
  const raw = trailers["grpc-status"] ?? headers["grpc-status"];
  const message = decodeMessage(String(trailers["grpc-message"] ?? headers["grpc-message"] ?? ""));
  if (raw !== undefined) return { code: Number(raw), message, body: body.subarray(5) };
  const httpStatus = Number(headers[":status"] ?? 0);
  if (httpStatus !== 200) {
    return { code: httpStatusCode(httpStatus), message: `unexpected HTTP status code received from server: ${httpStatus}`, body };
  }
  return { code: 13, message: "server closed the stream without sending trailers", body };
}

function httpStatusCode(status: number): number {
  const codes: Record<number, number> = { 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14 };
  return codes[status] ?? 2;
}

function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The ServingStatus name; an unknown number prints as the number, as Go's enum String does. */
function decodeStatus(body: Buffer): string {
  const decoded = RESPONSE.toObject(RESPONSE.decode(body), { enums: Number }) as { status?: number };
  const value = decoded.status ?? 0;
  return SERVING_STATUS.valuesById[value] ?? String(value);
}
