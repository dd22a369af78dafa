// Checks a decoded JSON object against its kind's schema the way upstream's typed decoder
// (sigs.k8s.io/json, case-sensitive, as the v1.32 API server uses it) would see it: type mismatches
// worded as Go's encoding/json ("json: cannot unmarshal string into Go struct field
// DeploymentSpec.spec.replicas of type int32"), the custom decoders of Quantity, IntOrString, Time
// and []byte with their own errors, and unknown fields as JSON paths ("spec.containers[0].imagee").
// It works on JSON.parse output, so duplicate keys and a number's original text are already gone,
// and integer-like keys come first (JavaScript object order).
import { badRequest, type StatusError } from "../errors.js";
import { Quantity, ERR_FORMAT_WRONG } from "../quantity.js";
import { refName, type Schema, type SchemaRegistry } from "../schema.js";

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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

interface DecodeError { message: string; fatal: boolean }

/** One decoding pass: the error context (innermost struct, struct field names) as Go's decoder keeps it. */
class Decoder {
  readonly errors: DecodeError[] = [];
  readonly unknown: string[] = [];
  private readonly fieldStack: string[] = [];
  private readonly strictPath: string[] = [];
  private structName = "";

  constructor(private readonly registry: SchemaRegistry, private readonly collectUnknown: boolean) {}

  visit(value: unknown, schema: Schema, name?: string): void {
    if (value === null || value === undefined) return; // null leaves the Go zero value: never an error
    const defName = name ?? definitionName(schema);
    const node = classify(schema, this.registry, defName);
    const go = (): string => (defName ? goName(defName) : goType(schema));
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
      case "array": return Array.isArray(value) ? this.array(value, node.items) : this.typeError(jsonKind(value), go());
      case "map": return isObject(value) ? this.map(value, node.values) : this.typeError(jsonKind(value), go());
      case "struct": return isObject(value) ? this.structFields(value, node) : this.typeError(jsonKind(value), go());
    }
  }

  private structFields(obj: Record<string, unknown>, node: { name: string; properties: Readonly<Record<string, Schema>> }): void {
    const outer = this.structName;
    for (const [key, child] of Object.entries(obj)) {
      const prop = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
      this.strictPath.push(this.strictPath.length ? `.${key}` : key);
      if (prop) {
        this.fieldStack.push(key);
        this.structName = node.name;
        this.visit(child, prop);
        this.fieldStack.pop();
        this.structName = outer;
      } else if (this.collectUnknown && this.unknown.length < MAX_STRICT_ERRORS) {
        this.unknown.push(this.strictPath.join(""));
      }
      this.strictPath.pop();
    }
  }

  private map(obj: Record<string, unknown>, values: Schema | undefined): void {
    if (!values) return;
    for (const [key, child] of Object.entries(obj)) {
      this.strictPath.push(this.strictPath.length ? `.${key}` : key);
      this.visit(child, values);
      this.strictPath.pop();
    }
  }

  private array(items: unknown[], schema: Schema): void {
    items.forEach((item, i) => {
      this.strictPath.push(`[${i}]`);
      this.visit(item, schema);
      this.strictPath.pop();
    });
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
    const err = timeError(value, micro);
    if (err) this.errors.push({ message: err, fatal: true });
  }

  /** []byte: a base64 string, or an array of byte values. */
  private bytes(value: unknown): void {
    if (Array.isArray(value)) {
      for (const b of value) if (b !== null) this.integer(b, "uint8");
      return;
    }
    if (typeof value !== "string") return this.typeError(jsonKind(value), "[]uint8");
    const err = base64Error(value);
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

/** Decodes obj against schema as upstream would and reports what it would say. */
export function validateAgainstSchema(obj: unknown, schema: Schema, registry: SchemaRegistry, options: { fieldValidation: FieldValidation }): SchemaCheck {
  const decoder = new Decoder(registry, options.fieldValidation !== "Ignore");
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

/** Go's strconv.Quote for the ASCII a field path holds (other characters pass through). */
function goQuote(s: string): string {
  return `"${s.replace(/[\x00-\x1f"\\\x7f]/g, (c) => (c === '"' || c === "\\" ? `\\${c}` : goEscape(c)))}"`;
}

function goEscape(c: string): string {
  const named: Readonly<Record<string, string>> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };
  return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

// ---- the custom decoders' own errors -------------------------------------------------------------

/** Go's base64.StdEncoding.Decode error for s ("illegal base64 data at input byte 4"), or undefined. */
function base64Error(s: string): string | undefined {
  let si = 0;
  while (si < s.length) {
    const next = base64Quantum(s, si);
    if (typeof next === "string") return next;
    si = next;
  }
  return undefined;
}

const BASE64 = /[A-Za-z0-9+/]/;
const isNewline = (c: string | undefined): boolean => c === "\n" || c === "\r";
const corrupt = (at: number): string => `illegal base64 data at input byte ${at}`;

/** One 4-character quantum from si (newlines skipped, "=" padding only at its end): the next index or an error. */
function base64Quantum(s: string, si: number): number | string {
  for (let j = 0; j < 4; ) {
    if (si === s.length) return j === 0 ? si : corrupt(si - j);
    const c = s.charAt(si++);
    if (BASE64.test(c)) j++;
    else if (isNewline(c)) continue;
    else if (c !== "=" || j < 2) return corrupt(si - 1);
    else return base64Padding(s, si, j);
  }
  return si;
}

/** After the first "=" at quantum position j: "==" when j is 2, then only newlines to the end. */
function base64Padding(s: string, si: number, j: number): number | string {
  if (j === 2) {
    while (si < s.length && isNewline(s[si])) si++;
    if (si === s.length) return corrupt(s.length);
    if (s[si] !== "=") return corrupt(si - 1);
    si++;
  }
  while (si < s.length && isNewline(s[si])) si++;
  return si < s.length ? corrupt(si) : si;
}

const RFC3339 = "2006-01-02T15:04:05Z07:00";
const RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00";
const isDigitAt = (s: string, i: number): boolean => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

interface TimeFields { year: number; month: number; day: number }
/** An element's outcome: the rest of the value, "bad" (cannot parse), or the name of a field out of range. */
type Step = string | { bad: true } | { range: string };
const BAD = { bad: true } as const;

/** Go's time.Parse(RFC3339 or RFC3339Micro, value) error, as metav1.Time / MicroTime report it, or undefined. */
function timeError(value: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const elements = ["2006", "-", "01", "-", "02", "T", "15", ":", "04", ":", "05", ...(micro ? [".000000"] : []), "Z07:00"];
  const fields: TimeFields = { year: 0, month: 0, day: 0 };
  const prefix = `parsing time ${timeQuote(value)}`;
  let rest = value;
  for (const [i, el] of elements.entries()) {
    const step: Step = el.length === 1 ? (rest[0] === el ? rest.slice(1) : BAD) : timeElement(el, rest, fields, elements[i + 1]);
    if (typeof step === "string") rest = step;
    else if ("range" in step) return `${prefix}: ${step.range} out of range`;
    else return `${prefix} as ${timeQuote(layout)}: cannot parse ${timeQuote(rest)} as ${timeQuote(el)}`;
  }
  if (rest) return `${prefix}: extra text: ${timeQuote(rest)}`;
  if (fields.day < 1 || fields.day > daysIn(fields.month, fields.year)) return `${prefix}: day out of range`;
  return undefined;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function timeElement(el: string, rest: string, f: TimeFields, next: string | undefined): Step {
  const ranged = (n: [number, string] | undefined, max: number, what: string): Step => (!n ? BAD : n[0] > max ? { range: what } : n[1]);
  switch (el) {
    case "2006":
      if (!/^\d{4}/.test(rest)) return BAD;
      f.year = Number(rest.slice(0, 4));
      return rest.slice(4);
    case "01": {
      const n = getnum(rest, true);
      if (n && (n[0] < 1 || n[0] > 12)) return { range: "month" };
      f.month = n?.[0] ?? 0;
      return n ? n[1] : BAD;
    }
    case "02": {
      const n = getnum(rest, true);
      f.day = n?.[0] ?? 0;
      return n ? n[1] : BAD;
    }
    case "15": return ranged(getnum(rest, false), 23, "hour");
    case "04": return ranged(getnum(rest, true), 59, "minute");
    case "05": {
      const step = ranged(getnum(rest, true), 59, "second");
      // A fraction the layout does not spell out is accepted after the seconds.
      if (typeof step !== "string" || next === ".000000" || !/^[.,]\d/.test(step)) return step;
      return step.replace(/^[.,]\d+/, "");
    }
    case ".000000":
      return rest.length >= 7 && /^[.,][+-]?\d*$/.test(rest.slice(0, 7)) ? rest.slice(7) : BAD;
    default:
      return zoneElement(rest);
  }
}

/** "Z07:00": "Z", or ±hh:mm with hours up to 24 and minutes up to 60, as Go allows. */
function zoneElement(rest: string): Step {
  if (rest[0] === "Z") return rest.slice(1);
  if (rest.length < 6 || rest[3] !== ":") return BAD;
  const hh = getnum(rest.slice(1, 3), true);
  const mm = hh && getnum(rest.slice(4, 6), true);
  if (hh && hh[0] > 24) return { range: "time zone offset hour" };
  if (mm && mm[0] > 60) return { range: "time zone offset minute" };
  return mm && (rest[0] === "+" || rest[0] === "-") ? rest.slice(6) : BAD;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Go's time.quote: non-ASCII and control bytes as \xNN, quotes and backslashes escaped. */
function timeQuote(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += c === '"' || c === "\\" ? `\\${c}` : c;
  }
  return `${out}"`;
}
