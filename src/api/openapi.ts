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
// Assumes: /openapi/v2 is only served as JSON. kubectl 1.32 asks for it only as protobuf
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf), and only when OpenAPI v3 is
// unusable or for `kubectl explain --output=plaintext-openapiv2`; it treats the 406 as "no v2".
import { createHash } from "node:crypto";
import { StatusError } from "./errors.js";
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
}

export interface CachedDocument {
  body: Buffer;
  /** Upstream's ETag: uppercase hex SHA-512 of `body`. */
  hash: string;
}

export interface OpenAPIV2Reply extends CachedDocument {
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
    this.v3Documents.clear();
  }

  /** The Swagger 2.0 document as JSON bytes. */
  v2(): Buffer;
  /** The Swagger 2.0 document for a request's Accept header; throws 406 when JSON is not acceptable. */
  v2(accept: string | undefined): OpenAPIV2Reply;
  v2(...args: [] | [string | undefined]): Buffer | OpenAPIV2Reply {
    const document = this.cachedV2();
    if (args.length === 0) return document.body;
    if (!acceptsJson(args[0])) {
      throw new StatusError(406, "NotAcceptable", `/openapi/v2 is served only as application/json (the protobuf form is not supported; use /openapi/v3), got Accept: ${JSON.stringify(args[0])}`);
    }
    return { ...document, contentType: "application/json" };
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

  private cachedV2(): CachedDocument {
    if (!this.v2Document) {
      const { definitions, parameters, paths } = this.sources();
      this.v2Document = cache({ swagger: "2.0", info: this.info(), paths: sortedObject(paths), definitions: sortedObject(definitions), parameters: sortedObject(parameters), security: SECURITY, securityDefinitions: BEARER_TOKEN });
    }
    return this.v2Document;
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

/** True when some Accept clause with q > 0 admits application/json (a missing header admits anything). */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return accept.split(",").some((clause) => {
    const [range = "", ...params] = clause.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return range === "*/*" || range === "application/*" || range === "application/json";
  });
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
