// Checks a decoded JSON object against its kind's schema the way upstream's typed decoder
// (sigs.k8s.io/json, case-sensitive, as the v1.32 API server uses it) would see it: type mismatches
// worded as Go's encoding/json ("json: cannot unmarshal string into Go struct field
// DeploymentSpec.spec.replicas of type int32"), the custom decoders of Quantity, IntOrString, Time
// and []byte with their own errors (time-parse-errors.ts, base64-errors.ts), and unknown fields as
// JSON paths ("spec.containers[0].imagee").
// It works on JSON.parse output, so duplicate keys and a number's original text are already gone,
// and integer-like keys come first (JavaScript object order).
import { badRequest, type StatusError } from "../errors.js";
import { Quantity, ERR_FORMAT_WRONG } from "../quantity.js";
import { refName, type Schema, type SchemaRegistry } from "../schema.js";
import { base64DecodeError } from "./base64-errors.js";
import { goQuote } from "./go-quote.js";
import { timeParseError } from "./time-parse-errors.js";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface SchemaCheck {
  /** Every decoding error, in document order, worded as upstream's decoder. */
  typeErrors: string[];
  /** The one error upstream reports: the first that stops its decoder (Quantity, IntOrString, Time), else the first. */
  decodeError?: string;
  /** Paths of fields the schema does not know (not collected for Ignore; at most 100, as upstream). */
  unknownFields: string[];
}

const MAX_STRICT_ERRORS = 100;
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
/** Types with their own decoders that accept any JSON without unknown-field checks. */
const OPAQUE: ReadonlySet<string> = new Set([
  "io.k8s.apimachinery.pkg.runtime.RawExtension",
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
]);

type Node =
  | { kind: "opaque" | "quantity" | "int-or-string" | "boolean" | "string" | "bytes" }
  | { kind: "time"; micro: boolean }
  | { kind: "integer" | "number"; goType: string }
  | { kind: "array"; items: Schema }
  | { kind: "map"; values?: Schema }
  | { kind: "struct"; name: string; properties: Readonly<Record<string, Schema>> };

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
};

/** What decoding a value of this schema means (upstream's Go type, reduced to its decoding rules). */
function classify(schema: Schema, registry: SchemaRegistry, name = definitionName(schema)): Node {
  const s = registry.resolve(schema);
  if (name === QUANTITY) return { kind: "quantity" };
  if ((name && OPAQUE.has(name)) || s["x-kubernetes-preserve-unknown-fields"] === true || s.type === undefined) return { kind: "opaque" };
  if (s.format === "int-or-string") return { kind: "int-or-string" };
  if (s.format === "date-time") return { kind: "time", micro: name === MICRO_TIME };
  switch (s.type) {
    case "integer": case "number": return { kind: s.type, goType: goType(s) };
    case "boolean": return { kind: "boolean" };
    case "string": return { kind: s.format === "byte" ? "bytes" : "string" };
    case "array": return s.items ? { kind: "array", items: s.items } : { kind: "opaque" };
    case "object":
      if (s.properties) return { kind: "struct", name: lastSegment(name ?? ""), properties: s.properties };
      return { kind: "map", values: typeof s.additionalProperties === "object" ? s.additionalProperties : undefined };
    default:
      return { kind: "opaque" };
  }
}

function definitionName(schema: Schema): string | undefined {
  return schema.$ref === undefined ? undefined : refName(schema.$ref);
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/** The Go type upstream names in its messages: v1.PodSpec, []v1.Container, map[string]string, int32. */
function goType(schema: Schema): string {
  if (schema.$ref !== undefined) return goName(refName(schema.$ref));
  switch (schema.type) {
    case "integer": return schema.format === "int32" || schema.format === "int64" ? schema.format : "int";
    case "number": return schema.format === "float" ? "float32" : "float64";
    case "boolean": return "bool";
    case "string": return schema.format === "byte" ? "[]uint8" : "string";
    case "array": return `[]${schema.items ? goType(schema.items) : "interface {}"}`;
    case "object": return `map[string]${typeof schema.additionalProperties === "object" ? goType(schema.additionalProperties) : "interface {}"}`;
    default: return "interface {}";
  }
}

/** A definition's Go type as reflect prints it: package and name ("v1.PodSpec", "intstr.IntOrString"). */
function goName(definition: string): string {
  return definition.split(".").slice(-2).join(".");
}

/** How encoding/json names a JSON value in "cannot unmarshal <value>". */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

/** `spec.containers[0].foo`, as upstream's strict decoding names an unknown field. */
function renderStrictPath(segments: ReadonlyArray<string | number>): string {
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string | number;
    if (typeof segment === "number") out += `[${segment}]`;
    else out += i === 0 ? segment : `.${segment}`;
  }
  return out;
}

/** The Go type a value of this schema decodes into, as a type error names it. */
function goTypeName(defName: string | undefined, schema: Schema): string {
  return defName ? goName(defName) : goType(schema);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

interface DecodeError { message: string; fatal: boolean }

/** Per registry, each schema's Node (a schema is only ever resolved against its own registry). */
const NODES = new WeakMap<SchemaRegistry, WeakMap<Schema, Node>>();

/** One decoding pass: the error context (innermost struct, struct field names) as Go's decoder keeps it. */
class Decoder {
  readonly errors: DecodeError[] = [];
  readonly unknown: string[] = [];
  private readonly fieldStack: string[] = [];
  /** Where the walk is: field and map keys, and list indexes; rendered only for an unknown field. */
  private readonly strictPath: Array<string | number> = [];
  private structName = "";

  private readonly nodes: WeakMap<Schema, Node>;

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly collectUnknown: boolean,
    /** The stored object an update replaces: its top-level parts passed these checks when stored. */
    private readonly stored?: Record<string, unknown>,
  ) {
    let nodes = NODES.get(registry);
    if (!nodes) NODES.set(registry, (nodes = new WeakMap()));
    this.nodes = nodes;
  }

  /** classify, worked out once per schema: every write visits the same few hundred. */
  private classified(schema: Schema): Node {
    let node = this.nodes.get(schema);
    if (!node) this.nodes.set(schema, (node = classify(schema, this.registry)));
    return node;
  }

  visit(value: unknown, schema: Schema, name?: string): void {
    if (value === null || value === undefined) return; // null leaves the Go zero value: never an error
    const node = name === undefined ? this.classified(schema) : classify(schema, this.registry, name);
    switch (node.kind) {
      case "opaque": return;
      case "quantity": return this.quantity(value);
      case "int-or-string": return this.intOrString(value);
      case "time": return this.time(value, node.micro);
      case "integer": return this.integer(value, node.goType);
      case "number": return this.expect(value, "number", node.goType);
      case "boolean": return this.expect(value, "boolean", "bool");
      case "string": return this.expect(value, "string", "string");
      case "bytes": return this.bytes(value);
      case "array": return Array.isArray(value) ? this.array(value, node.items) : this.typeError(jsonKind(value), goTypeName(name ?? definitionName(schema), schema));
      case "map": return isObject(value) ? this.map(value, node.values) : this.typeError(jsonKind(value), goTypeName(name ?? definitionName(schema), schema));
      case "struct": return isObject(value) ? this.structFields(value, node) : this.typeError(jsonKind(value), goTypeName(name ?? definitionName(schema), schema));
    }
  }

  private structFields(obj: Record<string, unknown>, node: { name: string; properties: Readonly<Record<string, Schema>> }): void {
    const outer = this.structName;
    const stored = this.strictPath.length === 0 ? this.stored : undefined;
    for (const key in obj) {
      const child = obj[key];
      // A part the update took over from the stored object as it is (the same object) decodes as it did.
      if (stored !== undefined && typeof child === "object" && child !== null && child === stored[key]) continue;
      const prop = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
      this.strictPath.push(key);
      if (prop) {
        this.fieldStack.push(key);
        this.structName = node.name;
        this.visit(child, prop);
        this.fieldStack.pop();
        this.structName = outer;
      } else if (this.collectUnknown && this.unknown.length < MAX_STRICT_ERRORS) {
        this.unknown.push(renderStrictPath(this.strictPath));
      }
      this.strictPath.pop();
    }
  }

  private map(obj: Record<string, unknown>, values: Schema | undefined): void {
    if (!values) return;
    for (const key in obj) {
      this.strictPath.push(key);
      this.visit(obj[key], values);
      this.strictPath.pop();
    }
  }

  private array(items: unknown[], schema: Schema): void {
    for (let i = 0; i < items.length; i++) {
      this.strictPath.push(i);
      this.visit(items[i], schema);
      this.strictPath.pop();
    }
  }

  private expect(value: unknown, type: "number" | "boolean" | "string", go: string): void {
    if (typeof value !== type) this.typeError(jsonKind(value), go);
  }

  private integer(value: unknown, go: string, fatal = false): void {
    if (typeof value !== "number") return this.typeError(jsonKind(value), go, fatal);
    const [min, max] = INT_RANGES[go] ?? [-(2 ** 63), 2 ** 63 - 1];
    // 2^63 - 1 rounds to 2^63 as a double: anything at or beyond it is out of int64 range here.
    const inRange = go === "int32" || go === "uint8" ? value >= min && value <= max : value >= min && value < max;
    if (!Number.isInteger(value) || !inRange) this.typeError(`number ${String(value)}`, go, fatal);
  }

  /** Quantity's own decoder: a string or number it can parse; anything else fails its syntax check. */
  private quantity(value: unknown): void {
    const text = typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : undefined;
    const err = text === undefined ? ERR_FORMAT_WRONG : Quantity.check(text);
    if (err) this.errors.push({ message: err, fatal: true });
  }

  /** IntOrString's own decoder: a string, or what encoding/json makes of the rest as an int32. */
  private intOrString(value: unknown): void {
    if (typeof value !== "string") this.integer(value, "int32", true);
  }

  /** metav1.Time / MicroTime: a string in RFC 3339 (MicroTime: exactly 6 fractional digits). */
  private time(value: unknown, micro: boolean): void {
    if (typeof value !== "string") return this.typeError(jsonKind(value), "string", true);
    const err = timeParseError(value, micro);
    if (err) this.errors.push({ message: err, fatal: true });
  }

  /** []byte: a base64 string, or an array of byte values. */
  private bytes(value: unknown): void {
    if (Array.isArray(value)) {
      for (const b of value) if (b !== null) this.integer(b, "uint8");
      return;
    }
    if (typeof value !== "string") return this.typeError(jsonKind(value), "[]uint8");
    const err = base64DecodeError(value);
    if (err) this.errors.push({ message: err, fatal: false });
  }

  private typeError(value: string, go: string, fatal = false): void {
    const where = this.structName || this.fieldStack.length ? `Go struct field ${this.structName}.${this.fieldStack.join(".")}` : "Go value";
    this.errors.push({ message: `json: cannot unmarshal ${value} into ${where} of type ${go}`, fatal });
  }
}

/** The definition name of a top-level schema: its $ref, its group-version-kind, or itself in the registry. */
function rootName(schema: Schema, registry: SchemaRegistry): string | undefined {
  const gvk = schema["x-kubernetes-group-version-kind"]?.[0];
  return definitionName(schema) ?? (gvk && registry.definitionName(gvk)) ?? Object.entries(registry.definitions).find(([, s]) => s === schema)?.[0];
}

/**
 * Decodes obj against schema as upstream would and reports what it would say. `stored`: the object
 * an update replaces, whose top-level parts obj shares (by identity) are not decoded again.
 */
export function validateAgainstSchema(obj: unknown, schema: Schema, registry: SchemaRegistry, options: { fieldValidation: FieldValidation; stored?: unknown }): SchemaCheck {
  const decoder = new Decoder(registry, options.fieldValidation !== "Ignore", isObject(options.stored) ? options.stored : undefined);
  decoder.visit(obj, schema, rootName(schema, registry));
  const errors = decoder.errors;
  return {
    typeErrors: errors.map((e) => e.message),
    decodeError: (errors.find((e) => e.fatal) ?? errors[0])?.message,
    unknownFields: decoder.unknown,
  };
}

/** A copy of obj without the fields its schema does not know (what upstream's typed decoding keeps); unchanged parts are shared. */
export function stripUnknownFields<T>(obj: T, schema: Schema, registry: SchemaRegistry): T {
  return strip(obj, schema, registry, rootName(schema, registry)) as T;
}

function strip(value: unknown, schema: Schema, registry: SchemaRegistry, name?: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  const node = classify(schema, registry, name ?? definitionName(schema));
  if (node.kind === "array" && Array.isArray(value)) {
    const items = value.map((item) => strip(item, node.items, registry));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (!isObject(value) || (node.kind !== "struct" && node.kind !== "map")) return value;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = node.kind === "map" ? node.values : Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
    if (node.kind === "struct" && !childSchema) {
      changed = true;
      continue;
    }
    out[key] = childSchema ? strip(child, childSchema, registry) : child;
    changed ||= out[key] !== child;
  }
  return changed ? out : value;
}

/** upstream's 400 for a body it cannot decode: `Deployment in version "v1" cannot be handled as a Deployment: <message>`. */
export function decodeErrorStatus(kind: string, apiVersion: string, message: string): StatusError {
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${message}`);
}

/** `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`. */
export function strictDecodingMessage(unknownFields: readonly string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field ${goQuote(f)}`).join(", ")}`;
}

/**
 * The 400 for unknown fields under fieldValidation=Strict. Upstream's create and update handlers wrap
 * it as a decode error (`Deployment in version "v1" cannot be handled as a Deployment: strict decoding
 * error: ...`): pass the target for that; without it the bare strict message is the Status message.
 */
export function strictDecodingStatus(unknownFields: readonly string[], target?: { kind: string; apiVersion: string }): StatusError {
  const message = strictDecodingMessage(unknownFields);
  return target ? decodeErrorStatus(target.kind, target.apiVersion, message) : badRequest(message);
}
