// Reads and decodes request bodies: JSON, YAML and Kubernetes protobuf, with upstream's 3 MiB limit
// and a nesting limit, so that bad input is a clear 400/413/415 and never takes the server down.
import type { IncomingMessage } from "node:http";
import { yamlPackage } from "../lazy-require.js";
import { badRequest, tooLarge, unsupportedMediaType } from "./errors.js";

/** Upstream's limit on request bodies (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deeper nesting than any real object needs; refusing it keeps recursive code safe. */
export const MAX_DEPTH = 1000;

export type PatchType = "json" | "merge" | "strategic" | "apply";

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

/** Bodies read so far, by request: the audit log's Request level records them. */
const bodies = new WeakMap<IncomingMessage, Buffer>();

export function requestBodyOf(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  bodies.set(req, body);
  return body;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = PATCH_TYPES[mediaType(contentType)];
  if (!type) throw unsupportedMediaType(contentType ?? "");
  return type;
}

/** Decodes an object body (create/update) by its content type. */
export async function decodeObject(body: Buffer, contentType: string | undefined): Promise<Record<string, unknown>> {
  const type = mediaType(contentType);
  // The protobuf schemas load on the first protobuf body, keeping them off the start-up path.
  if (type === "application/vnd.kubernetes.protobuf") return (await import("./protobuf.js")).decodeProtobufObject(body) as Record<string, unknown>;
  if (type === "application/json" || type === "") return asObject(parseJson(body));
  if (type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml") return asObject(parseYamlBody(body));
  throw unsupportedMediaType(contentType ?? "");
}

/** Decodes a patch body: JSON for json/merge/strategic patches, YAML (or JSON) for apply. */
export function decodePatch(body: Buffer, type: PatchType): unknown {
  return type === "apply" ? parseYamlBody(body) : parseJson(body);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest("the request body is empty: send the object as JSON, YAML or protobuf");
  checkDepth(body);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseYamlBody(body: Buffer): unknown {
  if (body.length === 0) throw badRequest("the request body is empty: send the object as JSON, YAML or protobuf");
  checkDepth(body);
  try {
    return yamlPackage().parse(body.toString("utf8"), { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`the request body is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest(`the request body must be a JSON or YAML object (a Kubernetes object with apiVersion, kind and metadata), not ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** Refuses bodies nested deeper than MAX_DEPTH, counting brackets outside strings. */
function checkDepth(body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}
