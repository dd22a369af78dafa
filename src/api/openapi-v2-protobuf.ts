// Encodes the Swagger 2.0 document of /openapi/v2 as gnostic's OpenAPIv2 `Document` protobuf, the
// form kube-apiserver serves to clients that ask for
// application/com.github.proto-openapi.spec.v2.v1.0+protobuf (kubectl does, with the older
// "...spec.v2@v1.0+protobuf" spelling, when OpenAPI v3 cannot answer and for `explain
// --output=plaintext-openapiv2`). Upstream's handler parses its JSON with gnostic's compiler and
// marshals the result; this module does the same mapping from the JSON value.
//
// The messages, field names and numbers come from the generated descriptor
// (src/api/generated/openapiv2.json, written by scripts/generate-api.ts from gnostic's
// OpenAPIv2.proto). What the .proto cannot say, and gnostic's compiler does, is how Swagger JSON
// lands in those messages; that is the only knowledge here:
//  - a field's JSON key is its proto name in lower camel case (`base_path` is "basePath"), and
//    `_ref` is "$ref";
//  - `vendor_extension` holds the object's "x-" keys, in document order, as NamedAny;
//  - a message whose field is `additional_properties` (Definitions, Properties, Headers...) is a JSON
//    map, one Named* entry per key in document order; Paths and Responses are maps of the keys that
//    match their patterns ("/...", and "default" or a three-digit status code);
//  - a message with one repeated field (TypeItem, ItemsItem, StringArray) takes a JSON list, or one
//    value as a list of one ("type": "object", "items": {...});
//  - a oneof message picks its member as gnostic's validation does: by "$ref" (a JsonReference),
//    by "in" (body or which non-body parameter), by "type"/"flow" (security definitions, file
//    schemas) or by JSON type (additionalProperties: a boolean or a schema);
//  - Any holds the value as YAML text, which is how kubectl reads vendor extensions, defaults and
//    enums. gnostic marshals the node with go-yaml v3 (4-space indents, a map in a list item two
//    columns in, double quotes where plain style would read as something else, no line folding);
//    the text here is the same for the values Kubernetes has (scalars, lists, flat maps, lists of
//    flat maps) and means the same for deeper ones, whose indentation may differ.
// Guarantees: as proto3 and Go's proto.Marshal do, a zero scalar or empty list is left out and a
// message field present in the JSON is written even when empty; a oneof member is written even
// when zero (additionalProperties: false). Fields are written in field-number order, so the same
// JSON gives the same bytes.
// Assumes: the input is Swagger 2.0 as OpenAPIDocuments builds it. A key gnostic would reject (one
// not in the message, or a value of the wrong JSON type) is left out rather than failing the whole
// document, where upstream would answer 503.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type protobuf from "protobufjs";
import { protobufPackage, yamlPackage } from "../lazy-require.js";

/** The content type upstream answers with, whichever of the two spellings was asked for. */
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
/** The older spelling, which kubectl 1.32 still sends in its Accept header. */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

type Json = Record<string, unknown>;
/** A message as protobufjs encodes it: proto field names to values. The wire edge. */
type Message = Record<string, unknown>;

export interface GeneratedOpenAPIv2 {
  package: string;
  descriptor: protobuf.INamespace;
}

const DOCUMENT = "Document";
const VENDOR_EXTENSION = "vendor_extension";
const MAP_ENTRIES = "additional_properties";

/** Paths and Responses: maps whose keys must match a pattern ("x-" keys are their extensions). */
const PATTERNED_MAPS: Record<string, { field: string; key: RegExp }> = {
  Paths: { field: "path", key: /^\// },
  Responses: { field: "response_code", key: /^([0-9]{3})$|^(default)$/ },
};

const NON_BODY_PARAMETERS: Record<string, string> = {
  header: "header_parameter_sub_schema",
  formData: "form_data_parameter_sub_schema",
  query: "query_parameter_sub_schema",
  path: "path_parameter_sub_schema",
};

const OAUTH2_FLOWS: Record<string, string> = {
  implicit: "oauth2_implicit_security",
  password: "oauth2_password_security",
  application: "oauth2_application_security",
  accessCode: "oauth2_access_code_security",
};

/** Which member of each oneof message a JSON value is, as gnostic's compiler decides it. */
const ONEOF_MEMBERS: Record<string, (value: unknown) => string | undefined> = {
  AdditionalPropertiesItem: (v) => (typeof v === "boolean" ? "boolean" : isObject(v) ? "schema" : undefined),
  Parameter: (v) => (!isObject(v) ? undefined : v["in"] === "body" ? "body_parameter" : "non_body_parameter"),
  NonBodyParameter: (v) => (isObject(v) && typeof v["in"] === "string" ? NON_BODY_PARAMETERS[v["in"]] : undefined),
  ParametersItem: (v) => referenceOr(v, "parameter"),
  ResponseValue: (v) => referenceOr(v, "response"),
  SchemaItem: (v) => (!isObject(v) ? undefined : v["type"] === "file" ? "file_schema" : "schema"),
  SecurityDefinitionsItem: (v) => {
    if (!isObject(v)) return undefined;
    if (v["type"] === "basic") return "basic_authentication_security";
    if (v["type"] === "apiKey") return "api_key_security";
    return v["type"] === "oauth2" && typeof v["flow"] === "string" ? OAUTH2_FLOWS[v["flow"]] : undefined;
  },
};

function referenceOr(value: unknown, member: string): string | undefined {
  if (!isObject(value)) return undefined;
  return typeof value["$ref"] === "string" ? "json_reference" : member;
}

/** How one message type is read from JSON, worked out once per type. */
type Plan =
  | { kind: "any" }
  | { kind: "oneof"; choose: (value: unknown) => string | undefined }
  | { kind: "list"; field: protobuf.Field }
  | { kind: "map"; field: protobuf.Field; key?: RegExp; extensions: boolean }
  | { kind: "object"; fields: { field: protobuf.Field; key: string }[]; extensions: boolean };

export class OpenAPIv2ProtobufEncoder {
  private readonly document: protobuf.Type;
  private readonly anyType: protobuf.Type;
  private readonly plans = new Map<protobuf.Type, Plan>();

  constructor(data: GeneratedOpenAPIv2) {
    const root = protobufPackage().Root.fromJSON(data.descriptor);
    root.resolveAll();
    this.document = root.lookupType(`${data.package}.${DOCUMENT}`);
    this.anyType = root.lookupType(`${data.package}.Any`);
  }

  /** The Document message (plain object, proto field names) for a Swagger 2.0 document. */
  toMessage(swagger: Json): Message {
    return new Conversion(this).message(this.document, swagger) ?? {};
  }

  /** The encoded Document for a Swagger 2.0 document. */
  encode(swagger: Json): Buffer {
    const bytes = this.document.encode(this.toMessage(swagger)).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Decodes an encoded Document (for tests and tools): proto field names, int64 as numbers. */
  decode(bytes: Uint8Array): Message {
    return this.document.toObject(this.document.decode(bytes), { longs: Number, arrays: false, objects: false, oneofs: false }) as Message;
  }

  plan(type: protobuf.Type): Plan {
    let plan = this.plans.get(type);
    if (!plan) {
      plan = this.makePlan(type);
      this.plans.set(type, plan);
    }
    return plan;
  }

  private makePlan(type: protobuf.Type): Plan {
    if (type === this.anyType) return { kind: "any" };
    const choose = ONEOF_MEMBERS[type.name];
    if (type.oneofsArray.length > 0) {
      if (!choose) throw new Error(`openapi.v2: no rule picks the member of oneof message ${type.name}`);
      return { kind: "oneof", choose };
    }
    const fields = type.fieldsArray;
    const extensions = fields.some((f) => f.name === VENDOR_EXTENSION);
    const patterned = PATTERNED_MAPS[type.name];
    if (patterned) return { kind: "map", field: type.fields[patterned.field]!, key: patterned.key, extensions };
    const entries = type.fields[MAP_ENTRIES];
    // Schema's own `additional_properties` is the keyword, a single AdditionalPropertiesItem.
    if (entries?.repeated) return { kind: "map", field: entries, extensions: false };
    if (fields.length === 1 && fields[0]!.repeated) return { kind: "list", field: fields[0]! };
    return { kind: "object", fields: fields.filter((f) => f.name !== VENDOR_EXTENSION).map((field) => ({ field, key: jsonKeyOf(field.name) })), extensions };
  }
}

/** One document's conversion; YAML texts are memoised within it (most repeat: GVKs, "merge"...). */
class Conversion {
  private readonly yamlTexts = new Map<string, string>();

  constructor(private readonly encoder: OpenAPIv2ProtobufEncoder) {}

  message(type: protobuf.Type, value: unknown): Message | undefined {
    const plan = this.encoder.plan(type);
    switch (plan.kind) {
      case "any":
        return { yaml: this.yaml(value) };
      case "oneof":
        return this.oneof(type, plan.choose(value), value);
      case "list": {
        const items = this.repeated(plan.field, Array.isArray(value) ? value : [value]);
        return items.length > 0 ? { [plan.field.name]: items } : {};
      }
      case "map":
        return isObject(value) ? this.map(type, plan, value) : undefined;
      case "object":
        return isObject(value) ? this.object(type, plan, value) : undefined;
    }
  }

  private oneof(type: protobuf.Type, member: string | undefined, value: unknown): Message | undefined {
    const field = member === undefined ? undefined : type.fields[member];
    if (!field) return undefined;
    const converted = this.single(field, value);
    return converted === undefined ? undefined : { [field.name]: converted };
  }

  private map(type: protobuf.Type, plan: Extract<Plan, { kind: "map" }>, value: Json): Message {
    const entryType = plan.field.resolvedType as protobuf.Type;
    const valueField = entryType.fields["value"]!;
    const entries: Message[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (plan.key && !plan.key.test(key)) continue;
      const converted = this.single(valueField, item);
      entries.push(isZero(converted) ? { name: key } : { name: key, value: converted });
    }
    const out: Message = {};
    if (plan.extensions) this.extensions(type, value, out);
    if (entries.length > 0) out[plan.field.name] = entries;
    return out;
  }

  private object(type: protobuf.Type, plan: Extract<Plan, { kind: "object" }>, value: Json): Message {
    const out: Message = {};
    for (const { field, key } of plan.fields) {
      const item = value[key];
      if (item === undefined) continue;
      if (field.repeated) {
        const items = Array.isArray(item) ? this.repeated(field, item) : [];
        if (items.length > 0) out[field.name] = items;
        continue;
      }
      const converted = this.single(field, item);
      if (!isZero(converted)) out[field.name] = converted;
    }
    if (plan.extensions) this.extensions(type, value, out);
    return out;
  }

  /** The "x-" keys of an object, as gnostic collects them into `vendor_extension`. */
  private extensions(type: protobuf.Type, value: Json, out: Message): void {
    const anyType = (type.fields[VENDOR_EXTENSION]!.resolvedType as protobuf.Type).fields["value"]!.resolvedType as protobuf.Type;
    const found: Message[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith("x-")) found.push({ name: key, value: this.message(anyType, item) });
    }
    if (found.length > 0) out[VENDOR_EXTENSION] = found;
  }

  private repeated(field: protobuf.Field, items: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (const item of items) {
      const converted = this.single(field, item);
      if (converted !== undefined) out.push(converted);
    }
    return out;
  }

  /** One value of a field: a message, or a scalar of the field's type (undefined if the JSON type is wrong). */
  private single(field: protobuf.Field, value: unknown): unknown {
    if (field.resolvedType instanceof protobufPackage().Type) return this.message(field.resolvedType, value);
    switch (field.type) {
      case "string":
        // gnostic's StringForScalarNode also takes integers and null (as "").
        if (typeof value === "string") return value;
        if (typeof value === "number" && Number.isInteger(value)) return String(value);
        return value === null ? "" : undefined;
      case "bool":
        return typeof value === "boolean" ? value : undefined;
      case "double":
      case "float":
        return typeof value === "number" ? value : undefined;
      case "int64":
      case "int32":
        return typeof value === "number" && Number.isInteger(value) ? value : undefined;
      default:
        return undefined;
    }
  }

  private yaml(value: unknown): string {
    const key = JSON.stringify(value) ?? "null";
    let text = this.yamlTexts.get(key);
    if (text === undefined) {
      // A multi-line string alone is double-quoted: a block scalar at the top would put its lines
      // at column 0, which go-yaml (kubectl's reader) does not take as the scalar's content.
      text = yamlPackage().stringify(value ?? null, { indent: 4, lineWidth: 0, singleQuote: false, blockQuote: typeof value !== "string" });
      this.yamlTexts.set(key, text);
    }
    return text;
  }
}

/** "base_path" → "basePath", "_ref" → "$ref": the Swagger key gnostic reads a field from. */
export function jsonKeyOf(fieldName: string): string {
  if (fieldName === "_ref") return "$ref";
  return fieldName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** What proto3 leaves out of a singular field: no value, "", false, 0. */
function isZero(value: unknown): boolean {
  return value === undefined || value === "" || value === false || value === 0;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

let loaded: OpenAPIv2ProtobufEncoder | undefined;

/** The encoder for the descriptor generated from gnostic's OpenAPIv2.proto (built on first use: it is immutable). */
export function builtinOpenAPIv2Encoder(): OpenAPIv2ProtobufEncoder {
  if (!loaded) {
    const file = fileURLToPath(new URL("../../../src/api/generated/openapiv2.json", import.meta.url));
    loaded = new OpenAPIv2ProtobufEncoder(JSON.parse(readFileSync(file, "utf8")) as GeneratedOpenAPIv2);
  }
  return loaded;
}
