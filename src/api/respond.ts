// Writing replies: JSON bodies (pre-serialised where the cache has the bytes), Status errors with the
// HTTP code equal to Status.code, and upstream's `Warning` headers.
import type { ServerResponse } from "node:http";
import { internalError, StatusError, type Status } from "./errors.js";

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  writeRaw(res, code, typeof body === "string" ? body : JSON.stringify(body), contentType);
}

export function writeRaw(res: ServerResponse, code: number, body: string | Buffer, contentType: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function writeWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader("Warning", warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

/** Turns anything thrown while serving into a Status reply; unexpected errors are logged and become 500. */
export function writeError(res: ServerResponse, err: unknown, log: (message: string, err: unknown) => void): void {
  const status = toStatusError(err, log);
  writeJson(res, status.code, status.toStatus());
}

export function toStatusError(err: unknown, log: (message: string, err: unknown) => void): StatusError {
  if (err instanceof StatusError) return err;
  log("unexpected error while serving a request", err);
  return internalError(err instanceof Error ? err.message : String(err));
}

export function successStatus(details?: Status["details"]): Status {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", message: "", code: 200 };
  if (details) status.details = details;
  return status;
}
