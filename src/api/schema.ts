// The upstream Kubernetes schemas kubelite serves, loaded from the generated registry
// (src/api/generated/openapi.json, written by scripts/generate-api.ts). Validation, strategic
// merge patch, server-side apply, protobuf decoding and /openapi all read types from here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A Swagger 2.0 schema object, with the Kubernetes extensions kubelite uses. */
export interface Schema {
  $ref?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-unions"?: unknown[];
  [extension: `x-${string}`]: unknown;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

interface GeneratedOpenAPI {
  kubernetesVersion: string;
  definitions: Record<string, Schema>;
  parameters: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
}

const REF_PREFIX = "#/definitions/";

export class SchemaRegistry {
  readonly kubernetesVersion: string;
  readonly definitions: Readonly<Record<string, Schema>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly paths: Readonly<Record<string, Record<string, unknown>>>;
  private readonly byKind = new Map<string, string>();

  constructor(data: GeneratedOpenAPI) {
    this.kubernetesVersion = data.kubernetesVersion;
    this.definitions = data.definitions;
    this.parameters = data.parameters;
    this.paths = data.paths;
    for (const [name, schema] of Object.entries(data.definitions)) {
      for (const gvk of schema["x-kubernetes-group-version-kind"] ?? []) {
        this.byKind.set(gvkKey(gvk), name);
      }
    }
  }

  /** The definition name (e.g. io.k8s.api.apps.v1.Deployment) of a kind, if served. */
  definitionName(gvk: GroupVersionKind): string | undefined {
    return this.byKind.get(gvkKey(gvk));
  }

  /** The schema of a kind's top-level object, if served. */
  forKind(gvk: GroupVersionKind): Schema | undefined {
    const name = this.definitionName(gvk);
    return name === undefined ? undefined : this.definitions[name];
  }

  /** Follows $ref (repeatedly) to the schema it names; other schemas come back as they are. */
  resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; current.$ref !== undefined && depth < 16; depth++) {
      const target = this.definitions[refName(current.$ref)];
      if (!target) throw new Error(`unknown schema reference ${current.$ref}`);
      current = target;
    }
    return current;
  }

  /** The resolved schema of a property (or of list items / map values with "*"), or undefined. */
  child(schema: Schema, field: string): Schema | undefined {
    const resolved = this.resolve(schema);
    if (field === "*") {
      if (resolved.items) return this.resolve(resolved.items);
      if (typeof resolved.additionalProperties === "object") return this.resolve(resolved.additionalProperties);
      return undefined;
    }
    const prop = resolved.properties?.[field];
    return prop ? this.resolve(prop) : undefined;
  }
}

export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

let loaded: SchemaRegistry | undefined;

/** The registry generated from upstream v1.32 (parsed once per process: it is immutable). */
export function builtinSchemas(): SchemaRegistry {
  if (!loaded) {
    const file = fileURLToPath(new URL("../../../src/api/generated/openapi.json", import.meta.url));
    loaded = new SchemaRegistry(JSON.parse(readFileSync(file, "utf8")) as GeneratedOpenAPI);
  }
  return loaded;
}
