// Serves the OpenAPI documents of the kinds kubelite serves: /openapi/v2 (Swagger 2.0) and
// /openapi/v3 (an index plus one OpenAPI 3.0 document per group-version), built from the
// generated schema registry (upstream v1.32's definitions) and any registered extra sources
// (custom resources), the way kube-apiserver serves them.
//
// Guarantees: every document is built once, on first use, and its bytes are cached until an extra
// source changes; a document's hash is upstream's ETag (uppercase hex SHA-512 of its bytes), so a
// `?hash=` URL from the index names exactly one body. A v3 document holds the paths under its
// prefix ("apis/apps/v1", "api/v1", "apis/apps", "api", "apis", "version") with parameters inlined,
// body parameters turned into `requestBody` (one content entry per consumed media type: the PATCH
// operations list json-patch, merge-patch, strategic-merge-patch and apply-patch), responses with
// one content entry per produced media type, and in `components.schemas` every schema those paths
// reach, with `$ref`s as "#/components/schemas/NAME" (a `$ref` with sibling keywords is wrapped in
// `allOf`, as kube-openapi does) and all Kubernetes extensions kept. kubectl needs exactly this:
// the PATCH operation's GVK, `fieldValidation` parameter and strategic-merge-patch content type,
// and the schemas' GVKs and patch merge keys.
// /openapi/v2 is negotiated as upstream's kube-openapi handler does: the Accept clauses in order of
// preference (q, then specificity), the first that admits JSON, or gnostic's protobuf in either
// spelling, wins; nothing acceptable is a 406. kubectl 1.32 asks for v2 only as protobuf
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf), when OpenAPI v3 cannot answer
// (an apiVersion no v3 document serves, as before a CRD exists) and for `kubectl explain
// --output=plaintext-openapiv2`. The protobuf form is encoded from the same Swagger document as the
// JSON (see openapi-v2-protobuf.ts), on first use only, and cached beside it; as upstream, both
// forms carry the JSON's hash as their ETag (replies vary on Accept).
import { createHash } from "node:crypto";
import { StatusError } from "./errors.js";
import { builtinOpenAPIv2Encoder, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DEPRECATED, type OpenAPIv2ProtobufEncoder } from "./openapi-v2-protobuf.js";
import { refName, type Schema, type SchemaRegistry } from "./schema.js";

type Json = Record<string, unknown>;

/** Schemas and paths served in addition to the built-in ones (a custom resource's, for example). */
export interface OpenAPISource {
  /** Swagger 2.0 definitions, referenced as "#/definitions/NAME". */
  definitions: Record<string, Schema>;
  /** Swagger 2.0 path items, keyed by absolute path ("/apis/example.com/v1/namespaces/{namespace}/widgets"). */
  paths: Record<string, Json>;
  /** Shared Swagger 2.0 parameters, referenced as "#/parameters/NAME". */
  parameters?: Record<string, Json>;
}

export interface OpenAPIDocumentsOptions {
  /** The version /version reports; goes in each document's `info.version`. */
  gitVersion?: string;
  /** Encodes /openapi/v2 as protobuf; defaults to the one built from the generated gnostic descriptor, on first use. */
  protobufEncoder?: () => OpenAPIv2ProtobufEncoder;
}

export interface CachedDocument {
  body: Buffer;
  /** Upstream's ETag: uppercase hex SHA-512 of `body`. */
  hash: string;
}

export interface OpenAPIV2Reply {
  body: Buffer;
  /** The ETag: for both forms the hash of the JSON body, as upstream's handler sends (with Vary: Accept). */
  hash: string;
  contentType: string;
}

export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** kube-apiserver's security definition: bearer tokens in the Authorization header. */
const BEARER_TOKEN = { BearerToken: { description: "Bearer Token authentication", in: "header", name: "authorization", type: "apiKey" } };
const SECURITY = [{ BearerToken: [] }];
const OPERATIONS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;
const V3_PREFIX = "#/components/schemas/";
const PARAMETER_PREFIX = "#/parameters/";

interface MergedSources {
  definitions: Record<string, Schema>;
  parameters: Record<string, unknown>;
  paths: Record<string, Json>;
}

export class OpenAPIDocuments {
  private readonly extraSources = new Map<string, OpenAPISource>();
  private merged: MergedSources | undefined;
  private v2Document: CachedDocument | undefined;
  private v2Protobuf: Buffer | undefined;
  private readonly v3Documents = new Map<string, CachedDocument>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly options: OpenAPIDocumentsOptions = {},
  ) {}

  /**
   * Adds, replaces (same name) or, with `undefined`, removes an extra source, e.g. one per custom
   * resource definition. Documents are rebuilt on their next use.
   */
  setSource(name: string, source: OpenAPISource | undefined): void {
    if (source) this.extraSources.set(name, source);
    else this.extraSources.delete(name);
    this.merged = undefined;
    this.v2Document = undefined;
    this.v2Protobuf = undefined;
    this.v3Documents.clear();
  }

  /** The Swagger 2.0 document as JSON bytes. */
  v2(): Buffer;
  /** The Swagger 2.0 document for a request's Accept header, as JSON or gnostic protobuf; throws 406 when neither is acceptable. */
  v2(accept: string | undefined): OpenAPIV2Reply;
  v2(...args: [] | [string | undefined]): Buffer | OpenAPIV2Reply {
    if (args.length === 0) return this.cachedV2().body;
    const format = negotiateV2(args[0]);
    if (format === undefined) {
      throw new StatusError(406, "NotAcceptable", `/openapi/v2 is served as application/json or ${OPENAPI_V2_PROTOBUF}, got Accept: ${JSON.stringify(args[0])}`);
    }
    const document = this.cachedV2();
    if (format === "json") return { ...document, contentType: "application/json" };
    return { body: this.cachedV2Protobuf(), hash: document.hash, contentType: OPENAPI_V2_PROTOBUF };
  }

  /** /openapi/v3: each document's path with its hash, as upstream's handler3 lists them. */
  v3Index(): OpenAPIV3Index {
    const paths: OpenAPIV3Index["paths"] = {};
    for (const key of this.v3DocumentPaths()) {
      const { hash } = this.v3Document(key)!;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    return { paths };
  }

  /** The document of one index path ("apis/apps/v1", "api/v1"...), or undefined if there is none. */
  v3Document(path: string): CachedDocument | undefined {
    const key = path.replace(/^\/+|\/+$/g, "");
    const cached = this.v3Documents.get(key);
    if (cached) return cached;
    const apiPaths = Object.keys(this.sources().paths).filter((p) => documentPathOf(p) === key);
    if (apiPaths.length === 0) return undefined;
    const document = cache(this.buildV3(apiPaths));
    this.v3Documents.set(key, document);
    return document;
  }

  /**
   * Builds every v3 document ahead of the first request, one per event-loop turn so requests are
   * served in between: kubectl's first apply or explain asks for the index, which needs them all.
   */
  async warm(): Promise<void> {
    for (const key of this.v3DocumentPaths()) {
      await new Promise((resolve) => setImmediate(resolve));
      this.v3Document(key);
    }
  }

  /** The index paths, sorted. */
  v3DocumentPaths(): string[] {
    return [...new Set(Object.keys(this.sources().paths).map(documentPathOf))].sort();
  }

  private info(): Json {
    return { title: "Kubernetes", version: this.options.gitVersion ?? `${this.registry.kubernetesVersion}.0` };
  }

  private sources(): MergedSources {
    if (!this.merged) {
      const merged: MergedSources = { definitions: { ...this.registry.definitions }, parameters: { ...this.registry.parameters }, paths: { ...this.registry.paths } };
      for (const source of this.extraSources.values()) {
        Object.assign(merged.definitions, source.definitions);
        Object.assign(merged.parameters, source.parameters ?? {});
        Object.assign(merged.paths, source.paths);
      }
      this.merged = merged;
    }
    return this.merged;
  }

  private swagger(): Json {
    const { definitions, parameters, paths } = this.sources();
    return { swagger: "2.0", info: this.info(), paths: sortedObject(paths), definitions: sortedObject(definitions), parameters: sortedObject(parameters), security: SECURITY, securityDefinitions: BEARER_TOKEN };
  }

  private cachedV2(): CachedDocument {
    if (!this.v2Document) this.v2Document = cache(this.swagger());
    return this.v2Document;
  }

  private cachedV2Protobuf(): Buffer {
    if (!this.v2Protobuf) this.v2Protobuf = (this.options.protobufEncoder ?? builtinOpenAPIv2Encoder)().encode(this.swagger());
    return this.v2Protobuf;
  }

  private buildV3(apiPaths: string[]): Json {
    const { definitions } = this.sources();
    const paths: Json = {};
    for (const path of apiPaths.sort()) paths[path] = this.convertPathItem(this.sources().paths[path]!);
    const schemas: Record<string, unknown> = {};
    const pending = [...referencedSchemas(paths)];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name in schemas) continue;
      const definition = definitions[name];
      if (!definition) throw new Error(`OpenAPI: ${V3_PREFIX}${name} is referenced but not defined`);
      schemas[name] = convertSchema(definition);
      pending.push(...referencedSchemas(schemas[name]));
    }
    return { openapi: "3.0.0", info: this.info(), paths, components: { schemas: sortedObject(schemas), securitySchemes: BEARER_TOKEN }, security: SECURITY };
  }

  private convertPathItem(item: Json): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(item)) {
      if (key === "parameters") out[key] = (value as Json[]).map((p) => convertParameter(this.parameter(p)));
      else if ((OPERATIONS as readonly string[]).includes(key)) out[key] = this.convertOperation(value as Json);
      else out[key] = value;
    }
    return out;
  }

  private convertOperation(operation: Json): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(operation)) {
      if (key === "consumes" || key === "produces" || key === "schemes") continue;
      if (key === "parameters") Object.assign(out, this.convertOperationParameters(value as Json[], operation["consumes"] as string[] | undefined));
      else if (key === "responses") out[key] = convertResponses(value as Json, operation["produces"] as string[] | undefined);
      else out[key] = value;
    }
    return out;
  }

  /** Splits v2 parameters into v3 `parameters` (inlined) and `requestBody` (from the body parameter). */
  private convertOperationParameters(parameters: Json[], consumes: string[] = []): Json {
    const out: Json = {};
    const others: Json[] = [];
    for (const parameter of parameters.map((p) => this.parameter(p))) {
      if (parameter["in"] !== "body") {
        others.push(convertParameter(parameter));
        continue;
      }
      const schema = convertSchema(parameter["schema"]);
      out["requestBody"] = { content: Object.fromEntries(consumes.map((type) => [type, { schema }])), ...(parameter["required"] === true ? { required: true } : {}) };
    }
    if (others.length > 0) out["parameters"] = others;
    return out;
  }

  /** Follows a "#/parameters/NAME" reference. */
  private parameter(parameter: Json): Json {
    const ref = parameter["$ref"];
    if (typeof ref !== "string") return parameter;
    const target = this.sources().parameters[ref.slice(PARAMETER_PREFIX.length)];
    if (!ref.startsWith(PARAMETER_PREFIX) || !target) throw new Error(`OpenAPI: unknown parameter reference ${ref}`);
    return target as Json;
  }
}

/** Which v3 document a path belongs to: "/apis/apps/v1/..." → "apis/apps/v1", "/api/" → "api", "/version/" → "version". */
export function documentPathOf(apiPath: string): string {
  const segments = apiPath.split("/").filter(Boolean);
  const depth = segments[0] === "apis" ? 3 : segments[0] === "api" ? 2 : 1;
  return segments.slice(0, depth).join("/");
}

function cache(document: Json): CachedDocument {
  const body = Buffer.from(JSON.stringify(document));
  return { body, hash: createHash("sha512").update(body).digest("hex").toUpperCase() };
}

function sortedObject<T>(object: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key] as T]));
}

type V2Format = "json" | "protobuf";

/** The media types /openapi/v2 is served as, in upstream's order of preference for a wildcard. */
const V2_FORMATS: [subtype: string, format: V2Format][] = [
  ["json", "json"],
  [OPENAPI_V2_PROTOBUF_DEPRECATED.slice("application/".length), "protobuf"],
  [OPENAPI_V2_PROTOBUF.slice("application/".length), "protobuf"],
];

interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
}

/**
 * The form an Accept header asks /openapi/v2 in, as kube-openapi's handler picks it: clauses by
 * descending q, then concrete types before wildcards; the first clause some form matches wins
 * (a missing header is any). Clauses with q=0 are refused, as HTTP says.
 */
export function negotiateV2(accept: string | undefined): V2Format | undefined {
  const header = accept === undefined || accept.trim() === "" ? "*/*" : accept;
  const clauses = header.split(",").map(parseAcceptClause).filter((c): c is AcceptClause => c !== undefined && c.q > 0);
  const rank = (c: AcceptClause) => (c.type === "*" ? 0 : 2) + (c.subtype === "*" ? 0 : 1);
  clauses.sort((a, b) => b.q - a.q || rank(b) - rank(a));
  for (const clause of clauses) {
    if (clause.type !== "application" && clause.type !== "*") continue;
    const match = V2_FORMATS.find(([subtype]) => clause.subtype === subtype || clause.subtype === "*");
    if (match) return match[1];
  }
  return undefined;
}

function parseAcceptClause(clause: string): AcceptClause | undefined {
  const [range = "", ...params] = clause.split(";").map((s) => s.trim().toLowerCase());
  const [type, subtype] = range === "*" ? ["*", "*"] : range.split("/");
  if (!type || !subtype) return undefined;
  const q = params.find((p) => p.startsWith("q="));
  const weight = q === undefined ? 1 : Number(q.slice(2));
  return { type, subtype, q: Number.isFinite(weight) ? weight : 0 };
}

const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions"]);
const SCHEMA_VALUES = new Set(["items", "additionalProperties", "additionalItems", "not"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf"]);

/** A v2 schema as v3: refs point into components.schemas; a ref with siblings becomes allOf: [ref]. */
function convertSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(convertSchema);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") out[key] = V3_PREFIX + refName(value);
    else if (SCHEMA_MAPS.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertSchema(v)]));
    else if (SCHEMA_VALUES.has(key) || SCHEMA_LISTS.has(key)) out[key] = convertSchema(value);
    else out[key] = value;
  }
  return wrapRef(out);
}

function wrapRef(schema: Json): Json {
  const { $ref, ...siblings } = schema;
  if (typeof $ref !== "string" || Object.keys(siblings).length === 0) return schema;
  return { allOf: [{ $ref }], ...siblings };
}

function convertParameter(parameter: Json): Json {
  const { type, format, items, uniqueItems, enum: allowed, default: fallback, ...rest } = parameter;
  const schema: Json = { type };
  if (format !== undefined) schema["format"] = format;
  if (items !== undefined) schema["items"] = items;
  if (allowed !== undefined) schema["enum"] = allowed;
  if (fallback !== undefined) schema["default"] = fallback;
  if (uniqueItems !== undefined) schema["uniqueItems"] = uniqueItems;
  return { ...rest, schema: rest["schema"] === undefined ? schema : convertSchema(rest["schema"]) };
}

function convertResponses(responses: Json, produces: string[] = []): Json {
  const out: Json = {};
  for (const [code, response] of Object.entries(responses)) {
    const { schema, ...rest } = response as Json;
    if (schema === undefined) {
      out[code] = rest;
      continue;
    }
    const converted = convertSchema(schema);
    out[code] = { content: Object.fromEntries(produces.map((type) => [type, { schema: converted }])), ...rest };
  }
  return out;
}

/** The names of the component schemas a converted subtree refers to. */
function referencedSchemas(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedSchemas(item, found);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(V3_PREFIX)) found.add(value.slice(V3_PREFIX.length));
      else referencedSchemas(value, found);
    }
  }
  return found;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
