// Decodes Kubernetes protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf)
// into the JSON form the JSON API would show, so the rest of the server sees one representation.
//
// Envelope: the magic bytes "k8s\0", then a runtime.Unknown {typeMeta{apiVersion, kind}, raw,
// contentEncoding, contentType} whose `raw` is the message of the type named by apiVersion/kind.
// The messages come from src/api/generated/protobuf.json (upstream generated.proto files, with
// each field's Go json tag and pointer-ness, written by scripts/generate-api.ts); the proto
// package of a group/version comes from the same file, never from a hand-typed table of kinds.
//
// Guarantees: field names are JSON names (Go json tags; `,inline` fields are merged into their
// parent); a field absent on the wire is omitted; a present zero scalar is omitted exactly when Go
// would omit it (non-pointer field with `omitempty`); empty lists and maps are omitted; Time,
// MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1 and the apiextensions JSON
// types take the form their Go MarshalJSON gives them; `bytes` are base64; int64 are numbers.
// Every malformed input (bad magic, truncated or invalid protobuf, unknown kind, embedded
// non-JSON) is a 400 BadRequest with a message saying what is wrong, never a crash.
// Assumes: Quantity strings are passed on as sent (canonicalising them is quantity code's job).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { badRequest } from "./errors.js";
import type { KubeObject } from "./resource.js";

/** "k8s\0": the prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Deeper nesting than any real object needs (the same bound the JSON decoder enforces). */
const MAX_DEPTH = 1000;

const UNKNOWN_MESSAGE = "k8s.io.apimachinery.pkg.runtime.Unknown";

interface GroupVersionPackage {
  package: string;
  sharedKinds?: Record<string, string>;
}

export interface GeneratedProtobuf {
  kubernetesVersion: string;
  groupVersions: Record<string, GroupVersionPackage>;
  descriptor: protobuf.INamespace;
}

/** A decoded protobuf message: fields present on the wire are own properties. The wire edge. */
type Fields = Record<string, unknown>;

interface LongLike {
  toNumber(): number;
  toString(): string;
}

/** What the Go struct tag says about a field (see scripts/generate-protobuf.ts). */
interface JsonFacts {
  name: string;
  inline: boolean;
  omitEmpty: boolean;
  pointer: boolean;
}

export class ProtobufDecoder {
  readonly root: protobuf.Root;
  private readonly groupVersions: Record<string, GroupVersionPackage>;
  private readonly unknownType: protobuf.Type;
  private readonly converter: JsonConverter;

  constructor(data: GeneratedProtobuf) {
    this.root = protobuf.Root.fromJSON(data.descriptor);
    this.root.resolveAll();
    this.groupVersions = data.groupVersions;
    this.unknownType = this.root.lookupType(UNKNOWN_MESSAGE);
    this.converter = new JsonConverter((raw, path) => this.decodeEmbedded(raw, path));
  }

  /** The proto message of a kind ("apps/v1", "Deployment"), or undefined if not served. */
  messageType(apiVersion: string, kind: string): protobuf.Type | undefined {
    const entry = this.groupVersions[apiVersion];
    if (!entry || !/^[A-Z]\w*$/.test(kind)) return undefined;
    const found = this.root.lookup(entry.sharedKinds?.[kind] ?? `${entry.package}.${kind}`);
    return found instanceof protobuf.Type ? found : undefined;
  }

  /** Decodes a whole body (magic + runtime.Unknown + object) into the object's JSON form. */
  decodeObject(body: Uint8Array): KubeObject {
    if (!hasMagic(body)) {
      throw badRequest('the protobuf body does not start with the Kubernetes magic bytes "k8s\\x00"');
    }
    const envelope = decodeMessage(this.unknownType, body.subarray(PROTOBUF_MAGIC.length), "the protobuf envelope (runtime.Unknown)");
    const { apiVersion, kind } = typeMetaOf(envelope);
    checkEncoding(envelope);
    const type = this.messageType(apiVersion, kind);
    if (!type) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf`);
    const raw = envelope["raw"] instanceof Uint8Array ? envelope["raw"] : new Uint8Array();
    const message = decodeMessage(type, raw, `the ${kind} message`);
    return { kind, apiVersion, ...this.converter.message(type, message, kind, 0) };
  }

  private decodeEmbedded(raw: Uint8Array, path: string): unknown {
    if (hasMagic(raw)) return this.decodeObject(raw);
    try {
      return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
    } catch {
      throw badRequest(`${path}: the embedded object is neither JSON nor Kubernetes protobuf`);
    }
  }
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((byte, i) => bytes[i] === byte);
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, what: string): Fields {
  try {
    return type.decode(bytes) as unknown as Fields;
  } catch (err) {
    throw badRequest(`${what} is truncated or is not valid protobuf: ${(err as Error).message}`);
  }
}

function typeMetaOf(envelope: Fields): { apiVersion: string; kind: string } {
  const typeMeta = (envelope["typeMeta"] ?? {}) as Fields;
  const apiVersion = typeMeta["apiVersion"];
  const kind = typeMeta["kind"];
  if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") {
    throw badRequest("the protobuf envelope does not name the object's apiVersion and kind");
  }
  return { apiVersion, kind };
}

function checkEncoding(envelope: Fields): void {
  const encoding = envelope["contentEncoding"];
  if (typeof encoding === "string" && encoding !== "") {
    throw badRequest(`the protobuf envelope's content encoding "${encoding}" is not supported`);
  }
  const contentType = envelope["contentType"];
  if (typeof contentType === "string" && contentType !== "" && contentType !== "application/vnd.kubernetes.protobuf") {
    throw badRequest(`the protobuf envelope's content type "${contentType}" is not supported`);
  }
}

type SpecialForm = (converter: JsonConverter, type: protobuf.Type, message: Fields, path: string, depth: number) => unknown;

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const APIEXTENSIONS = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1";

/** Messages whose JSON form is their Go MarshalJSON's, not a JSON object of their fields. `undefined` is Go's null (omitted). */
const SPECIAL_FORMS: Record<string, SpecialForm> = {
  [`${META}.Time`]: (_c, _t, m, path) => timestamp(m, false, path),
  [`${META}.MicroTime`]: (_c, _t, m, path) => timestamp(m, true, path),
  [`${META}.Duration`]: (_c, _t, m) => goDuration(int64ToBigInt(m["duration"])),
  [`${META}.FieldsV1`]: (c, _t, m, path) => c.embedded(m["Raw"], path),
  "k8s.io.apimachinery.pkg.runtime.RawExtension": (c, _t, m, path) => c.embedded(m["raw"], path),
  "k8s.io.apimachinery.pkg.api.resource.Quantity": (_c, _t, m) => (typeof m["string"] === "string" && m["string"] !== "" ? m["string"] : "0"),
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": (_c, _t, m, path) => intOrString(m, path),
  [`${APIEXTENSIONS}.JSON`]: (c, _t, m, path) => c.embedded(m["raw"], path),
  [`${APIEXTENSIONS}.JSONSchemaPropsOrArray`]: (c, t, m, path, depth) =>
    c.nonEmptyList(t, m, "jSONSchemas", path, depth) ?? c.field(t, m, "schema", path, depth),
  [`${APIEXTENSIONS}.JSONSchemaPropsOrBool`]: (c, t, m, path, depth) => c.field(t, m, "schema", path, depth) ?? m["allows"] === true,
  [`${APIEXTENSIONS}.JSONSchemaPropsOrStringArray`]: (c, t, m, path, depth) =>
    c.nonEmptyList(t, m, "property", path, depth) ?? c.field(t, m, "schema", path, depth),
};

/** Turns decoded messages into Kubernetes JSON, following the Go facts recorded on each field. */
class JsonConverter {
  constructor(private readonly decodeEmbedded: (raw: Uint8Array, path: string) => unknown) {}

  /** A message's JSON value: an object, or its special form (undefined for Go's null). */
  value(type: protobuf.Type, message: Fields, path: string, depth: number): unknown {
    if (depth > MAX_DEPTH) throw badRequest(`${path}: the object is nested more than ${MAX_DEPTH} levels deep`);
    const special = SPECIAL_FORMS[type.fullName.slice(1)];
    if (special) return special(this, type, message, path, depth);
    if (type.options?.["goSlice"] === true) return this.nonEmptyList(type, message, "items", path, depth) ?? [];
    return this.message(type, message, path, depth);
  }

  message(type: protobuf.Type, message: Fields, path: string, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of type.fieldsArray) {
      const facts = jsonFacts(field);
      if (facts.name === "-" || !Object.hasOwn(message, field.name)) continue;
      const value = this.fieldValue(field, facts, message[field.name], `${path}.${facts.name || field.name}`, depth);
      if (value === undefined) continue;
      if (facts.inline) Object.assign(out, value);
      else out[facts.name] = value;
    }
    return out;
  }

  /** The JSON value of one named field of a message, or undefined when absent. */
  field(type: protobuf.Type, message: Fields, name: string, path: string, depth: number): unknown {
    const field = type.fields[name];
    if (!field || !Object.hasOwn(message, name)) return undefined;
    return this.fieldValue(field, jsonFacts(field), message[name], path, depth);
  }

  /** A repeated field's JSON array, or undefined when it is empty. */
  nonEmptyList(type: protobuf.Type, message: Fields, name: string, path: string, depth: number): unknown[] | undefined {
    const value = this.field(type, message, name, path, depth);
    return Array.isArray(value) && value.length > 0 ? value : undefined;
  }

  embedded(raw: unknown, path: string): unknown {
    return raw instanceof Uint8Array && raw.length > 0 ? this.decodeEmbedded(raw, path) : undefined;
  }

  private fieldValue(field: protobuf.Field, facts: JsonFacts, value: unknown, path: string, depth: number): unknown {
    if (field.map) return this.mapValue(field, value as Record<string, unknown>, path, depth);
    if (field.repeated) return this.listValue(field, value as unknown[], path, depth);
    const converted = this.single(field, value, path, depth + 1);
    if (!facts.pointer && facts.omitEmpty && isZeroScalar(field, converted)) return undefined;
    return converted;
  }

  private listValue(field: protobuf.Field, values: unknown[], path: string, depth: number): unknown[] | undefined {
    if (values.length === 0) return undefined;
    return values.map((v, i) => this.single(field, v, `${path}[${i}]`, depth + 1) ?? null);
  }

  private mapValue(field: protobuf.Field, values: Record<string, unknown>, path: string, depth: number): Record<string, unknown> | undefined {
    const entries = Object.entries(values);
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([k, v]) => [k, this.single(field, v, `${path}[${k}]`, depth + 1) ?? null]));
  }

  private single(field: protobuf.Field, value: unknown, path: string, depth: number): unknown {
    if (field.resolvedType instanceof protobuf.Type) return this.value(field.resolvedType, value as Fields, path, depth);
    return scalar(field.type, value);
  }
}

/** Reads the Go json tag recorded on a field; fields without one keep their proto name and omit zeros. */
function jsonFacts(field: protobuf.Field): JsonFacts {
  const tag = field.options?.["json"];
  const pointer = field.options?.["goPointer"] === true;
  if (typeof tag !== "string") return { name: field.name, inline: false, omitEmpty: true, pointer };
  const [name = "", ...flags] = tag.split(",");
  return { name, inline: flags.includes("inline"), omitEmpty: flags.includes("omitempty"), pointer };
}

const INT64_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

function scalar(type: string, value: unknown): unknown {
  if (INT64_TYPES.has(type)) return int64ToNumber(value);
  if (type === "bytes") return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") : "";
  if (typeof value === "number" && !Number.isFinite(value)) throw badRequest(`a ${type} field holds ${value}, which JSON cannot represent`);
  return value;
}

function isZeroScalar(field: protobuf.Field, value: unknown): boolean {
  if (field.resolvedType instanceof protobuf.Type) return false;
  return value === 0 || value === false || value === "";
}

function int64ToNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  return (value as LongLike).toNumber();
}

function int64ToBigInt(value: unknown): bigint {
  if (value === undefined) return 0n;
  return BigInt(typeof value === "number" ? Math.trunc(value) : String(value as LongLike | string));
}

const ZERO_TIME_SECONDS = -62135596800; // Go's zero time.Time, 0001-01-01T00:00:00Z

/** metav1.Time: RFC 3339 in UTC, whole seconds (upstream drops nanos on decode); MicroTime keeps microseconds. */
function timestamp(message: Fields, micro: boolean, path: string): string | undefined {
  const seconds = Object.hasOwn(message, "seconds") ? int64ToNumber(message["seconds"]) : 0;
  const nanos = typeof message["nanos"] === "number" ? message["nanos"] : 0;
  if ((seconds === 0 && !Object.hasOwn(message, "seconds") && nanos === 0) || (seconds === ZERO_TIME_SECONDS && nanos === 0)) return undefined;
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1 || year > 9999 || nanos < 0 || nanos > 999_999_999) {
    throw badRequest(`${path}: the time (${seconds}s, ${nanos}ns) is outside years 0001-9999`);
  }
  const whole = date.toISOString().slice(0, 19);
  return micro ? `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${whole}Z`;
}

/** intstr.IntOrString: type 0 is the int, type 1 the string (upstream's MarshalJSON). */
function intOrString(message: Fields, path: string): number | string {
  const type = Object.hasOwn(message, "type") ? int64ToNumber(message["type"]) : 0;
  if (type === 0) return typeof message["intVal"] === "number" ? message["intVal"] : 0;
  if (type === 1) return typeof message["strVal"] === "string" ? message["strVal"] : "";
  throw badRequest(`${path}: an IntOrString of type ${type} is neither an int (0) nor a string (1)`);
}

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;

/** Go's time.Duration.String(): "1h0m0s", "1m30s", "1.5s", "250ms", "2µs", "0s". */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return "0s";
  const sign = nanoseconds < 0n ? "-" : "";
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < NANOS_PER_SECOND) {
    const [unit, scale] = u < 1_000n ? ["ns", 1n] : u < 1_000_000n ? ["µs", 1_000n] : ["ms", 1_000_000n];
    return `${sign}${withFraction(u, scale)}${unit}`;
  }
  let text = `${withFraction(u % NANOS_PER_MINUTE, NANOS_PER_SECOND)}s`;
  const minutes = u / NANOS_PER_MINUTE;
  if (minutes > 0n) {
    text = `${minutes % 60n}m${text}`;
    if (minutes >= 60n) text = `${minutes / 60n}h${text}`;
  }
  return sign + text;
}

function withFraction(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const fraction = value % scale;
  if (fraction === 0n) return `${whole}`;
  const digits = String(fraction).padStart(String(scale).length - 1, "0").replace(/0+$/, "");
  return `${whole}.${digits}`;
}

let loaded: ProtobufDecoder | undefined;

/** The decoder for the descriptors generated from upstream v1.32 (built once per process: it is immutable). */
export function builtinProtobuf(): ProtobufDecoder {
  if (!loaded) {
    const file = fileURLToPath(new URL("../../../src/api/generated/protobuf.json", import.meta.url));
    loaded = new ProtobufDecoder(JSON.parse(readFileSync(file, "utf8")) as GeneratedProtobuf);
  }
  return loaded;
}

/** Decodes a Kubernetes protobuf request body into the object's JSON form; throws a 400 on bad input. */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  return builtinProtobuf().decodeObject(body);
}
