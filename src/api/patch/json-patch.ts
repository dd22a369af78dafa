// RFC 6902 JSON Patch (application/json-patch+json): add, remove, replace, move, copy, test, with
// RFC 6901 pointers (`~1` is "/", `~0` is "~") and `-` for "after the last element" in add.
// Guarantees: inputs are never mutated; a malformed patch is a 400 BadRequest, a patch that does
// not apply to the document is a 422 Invalid whose message names the operation and the path
// (upstream's apiserver answers 422 too, but with a generic message); more than 10000 operations
// is a 413, as upstream's maxJSONPatchOperations. Indexes follow the RFC: no negative indexes.
import { StatusError, badRequest } from "../errors.js";
import { isJsonObject, jsonClone, jsonEqual, type JsonObject } from "./json-value.js";

export type JsonPatchOp = "add" | "remove" | "replace" | "move" | "copy" | "test";

export interface JsonPatchOperation {
  op: JsonPatchOp;
  path: string;
  from?: string;
  value?: unknown;
}

/** Upstream apiserver's limit on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS: readonly JsonPatchOp[] = ["add", "remove", "replace", "move", "copy", "test"];

/** Applies an RFC 6902 patch (already parsed from JSON) to a document and returns the new document. */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const operations = decodeJsonPatch(patch);
  // The root lives in a box so that every pointer, "" included, has a parent container.
  const box: JsonObject = { "": jsonClone(document) };
  for (const operation of operations) applyOperation(box, operation);
  return box[""];
}

/** Validates the shape of a JSON patch: an array of operation objects. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw badRequest("invalid JSON patch: the patch must be a JSON array of operations");
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    const message = `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`;
    throw new StatusError(413, "RequestEntityTooLarge", message);
  }
  return patch.map((raw, index) => decodeOperation(raw, index));
}

function decodeOperation(raw: unknown, index: number): JsonPatchOperation {
  const where = `invalid JSON patch: operation ${index}`;
  if (!isJsonObject(raw)) throw badRequest(`${where} is not a JSON object`);
  const { op, path, from } = raw;
  if (typeof op !== "string") throw badRequest(`${where} has no "op"`);
  if (!OPS.includes(op as JsonPatchOp)) throw badRequest(`${where} has an unsupported "op": ${JSON.stringify(op)}`);
  if (typeof path !== "string") throw badRequest(`${where} (${op}) has no "path"`);
  checkPointer(path, where);
  const operation: JsonPatchOperation = { op: op as JsonPatchOp, path };
  if (op === "move" || op === "copy") {
    if (typeof from !== "string") throw badRequest(`${where} (${op}) has no "from"`);
    checkPointer(from, where);
    operation.from = from;
  }
  if (op === "add" || op === "replace" || op === "test") {
    if (!Object.hasOwn(raw, "value")) throw badRequest(`${where} (${op}) has no "value"`);
    operation.value = raw.value;
  }
  return operation;
}

function checkPointer(pointer: string, where: string): void {
  if (pointer !== "" && !pointer.startsWith("/")) {
    throw badRequest(`${where}: ${JSON.stringify(pointer)} is not a JSON pointer (it must be empty or start with "/")`);
  }
}

/** Pointer tokens below the box: "" → [""], "/a/b" → ["", "a", "b"]. */
function tokens(pointer: string): string[] {
  if (pointer === "") return [""];
  return ["", ...pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))];
}

const notApply = (op: string, detail: string) =>
  new StatusError(422, "Invalid", `jsonpatch ${op} operation does not apply: ${detail}`);

function applyOperation(box: JsonObject, operation: JsonPatchOperation): void {
  switch (operation.op) {
    case "add": return add(box, operation.path, jsonClone(operation.value), "add");
    case "remove": return void remove(box, operation.path, "remove");
    case "replace": return replace(box, operation.path, jsonClone(operation.value));
    case "move": return move(box, operation.from ?? "", operation.path);
    case "copy": return add(box, operation.path, jsonClone(get(box, operation.from ?? "", "copy")), "copy");
    case "test": return test(box, operation.path, operation.value);
  }
}

interface Location {
  parent: JsonObject | unknown[];
  key: string;
}

/** The container holding the pointer's target; the target itself need not exist. */
function locate(box: JsonObject, pointer: string, op: string): Location {
  const path = tokens(pointer);
  let current: unknown = box;
  for (const token of path.slice(0, -1)) {
    current = childOf(current, token);
    if (current === undefined) throw notApply(op, `doc is missing path: ${pointer}`);
  }
  if (!isJsonObject(current) && !Array.isArray(current)) throw notApply(op, `doc is missing path: ${pointer}`);
  return { parent: current, key: path[path.length - 1] ?? "" };
}

function childOf(container: unknown, token: string): unknown {
  if (isJsonObject(container)) return Object.hasOwn(container, token) ? container[token] : undefined;
  if (Array.isArray(container)) {
    const index = arrayIndex(token);
    return index !== undefined && index < container.length ? container[index] : undefined;
  }
  return undefined;
}

/** An RFC 6901 array index: "0" or digits without a leading zero. */
function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

function existingIndex(array: unknown[], key: string, pointer: string, op: string): number {
  const index = arrayIndex(key);
  if (index === undefined || index >= array.length) throw notApply(op, `doc is missing key: ${pointer}`);
  return index;
}

function get(box: JsonObject, pointer: string, op: string): unknown {
  const { parent, key } = locate(box, pointer, op);
  if (Array.isArray(parent)) return parent[existingIndex(parent, key, pointer, op)];
  if (!Object.hasOwn(parent, key)) throw notApply(op, `doc is missing key: ${pointer}`);
  return parent[key];
}

function add(box: JsonObject, pointer: string, value: unknown, op: string): void {
  const { parent, key } = locate(box, pointer, op);
  if (!Array.isArray(parent)) {
    parent[key] = value;
    return;
  }
  const index = key === "-" ? parent.length : arrayIndex(key);
  if (index === undefined || index > parent.length) throw notApply(op, `doc is missing index: ${pointer}`);
  parent.splice(index, 0, value);
}

function remove(box: JsonObject, pointer: string, op: string): unknown {
  if (pointer === "") throw notApply(op, "the whole document cannot be removed");
  const { parent, key } = locate(box, pointer, op);
  if (Array.isArray(parent)) return parent.splice(existingIndex(parent, key, pointer, op), 1)[0];
  if (!Object.hasOwn(parent, key)) throw notApply(op, `doc is missing key: ${pointer}`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function replace(box: JsonObject, pointer: string, value: unknown): void {
  const { parent, key } = locate(box, pointer, "replace");
  if (Array.isArray(parent)) {
    parent[existingIndex(parent, key, pointer, "replace")] = value;
    return;
  }
  if (!Object.hasOwn(parent, key)) throw notApply("replace", `doc is missing key: ${pointer}`);
  parent[key] = value;
}

function move(box: JsonObject, from: string, pointer: string): void {
  if (from === pointer) {
    get(box, from, "move");
    return;
  }
  if (pointer.startsWith(`${from}/`)) throw notApply("move", `${from} cannot be moved into its own child ${pointer}`);
  add(box, pointer, remove(box, from, "move"), "move");
}

function test(box: JsonObject, pointer: string, expected: unknown): void {
  if (!jsonEqual(get(box, pointer, "test"), expected)) {
    throw notApply("test", `testing value ${pointer} failed: the value is not ${JSON.stringify(expected)}`);
  }
}
