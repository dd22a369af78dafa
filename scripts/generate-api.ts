// Generates kubelite's API registry data from the upstream Kubernetes definitions.
//
//   npm run generate -- --swagger PATH/swagger.json [--out src/api/generated]
//       [--proto-ref v0.32.13] [--proto-api PATH[@REF]] [--proto-apimachinery PATH[@REF]]
//       [--proto-apiextensions PATH[@REF]] [--gnostic PATH[@REF]]
//
// Inputs: the upstream OpenAPI v2 document of a Kubernetes release (for v1.32, the release-1.32
// `swagger.json` as published by the kubernetes-client projects from kubernetes/kubernetes'
// api/openapi-spec), and the Go modules k8s.io/api, k8s.io/apimachinery and
// k8s.io/apiextensions-apiserver (their generated.proto files and Go types), each a git
// repository read at a tag (PATH@REF, or a bare repository read at --proto-ref) or a checked-out
// directory, and github.com/google/gnostic (openapiv2/OpenAPIv2.proto, read at v0.7.0 unless
// PATH@REF says otherwise; its messages are those of gnostic-models v0.6.8, which kube-openapi and
// kubectl 1.32 compile). Outputs:
//   src/api/generated/openapi.json   the definitions and paths of the kinds listed in
//                                    scripts/served-kinds.json, everything they reference, and the
//                                    discovery paths (/api/, /apis/, /apis/GROUP/, /version/)
//   src/api/generated/protobuf.json  the protobuf descriptors of the served group/versions
//                                    (see generate-protobuf.ts)
//   src/api/generated/openapiv2.json the protobuf descriptor of gnostic's OpenAPIv2 Document, the
//                                    form /openapi/v2 is served in to protobuf clients (kubectl)
// Re-running this with a newer release's inputs is how kubelite moves to a newer Kubernetes version.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { generateGnosticDescriptor, generateProtobuf, parseModuleSource } from "./generate-protobuf.js";

type Json = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));

function argument(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) {
    console.error(`usage: generate-api --swagger PATH [--out DIR] [--proto-ref REF] [--proto-api PATH[@REF]] [--proto-apimachinery PATH[@REF]] [--proto-apiextensions PATH[@REF]] [--gnostic PATH[@REF]]  (missing --${name})`);
    process.exit(2);
  }
  return value;
}

const KUBERNETES_VERSION = "v1.32";
const swaggerPath = argument("swagger");
const outDir = argument("out", join(here, "..", "src", "api", "generated"));
const protoRef = argument("proto-ref", "v0.32.13");
const protoSources = [
  parseModuleSource("k8s.io/api", argument("proto-api", "/work/.mirror/kubernetes+api/repo"), protoRef),
  parseModuleSource("k8s.io/apimachinery", argument("proto-apimachinery", "/work/.mirror/kubernetes+apimachinery/repo"), protoRef),
  parseModuleSource("k8s.io/apiextensions-apiserver", argument("proto-apiextensions", "/work/.mirror/kubernetes+apiextensions-apiserver/repo"), protoRef),
];
const gnosticSource = parseModuleSource("github.com/google/gnostic", argument("gnostic", "/work/.mirror/google+gnostic/repo"), "v0.7.0");
const served = JSON.parse(readFileSync(join(here, "served-kinds.json"), "utf8")) as { groupVersions: Record<string, string[]> };
const swagger = JSON.parse(readFileSync(swaggerPath, "utf8")) as { definitions: Record<string, Json>; paths: Record<string, Json>; parameters: Record<string, Json> };

// Definitions that carry one of the served group/version/kinds.
const roots = new Set<string>();
for (const [name, schema] of Object.entries(swagger.definitions)) {
  const gvks = (schema["x-kubernetes-group-version-kind"] ?? []) as { group: string; version: string; kind: string }[];
  for (const gvk of gvks) {
    const gv = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const kinds = served.groupVersions[gv];
    if (kinds && (kinds.includes(gvk.kind) || kinds.includes(gvk.kind.replace(/List$/, "")))) roots.add(name);
  }
}
for (const always of ["io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList", "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList", "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions", "io.k8s.apimachinery.pkg.version.Info"]) {
  roots.add(always);
}

// Paths of the served group/versions (list, item, watch and subresource paths), plus the discovery
// paths of the served groups and /version/ (kube-apiserver serves those in /openapi/v2 and v3 too).
const servedPrefixes = Object.keys(served.groupVersions).map((gv) => (gv === "v1" ? "/api/v1/" : `/apis/${gv}/`));
const servedGroups = new Set(Object.keys(served.groupVersions).filter((gv) => gv.includes("/")).map((gv) => gv.split("/")[0]!));
const discoveryPaths = new Set(["/api/", "/apis/", "/version/", ...[...servedGroups].map((g) => `/apis/${g}/`)]);
const paths: Record<string, Json> = {};
for (const [path, item] of Object.entries(swagger.paths)) {
  if (discoveryPaths.has(path) || servedPrefixes.some((p) => path.startsWith(p))) paths[path] = item;
}

// The transitive closure of $refs from the roots and the kept paths.
const definitions: Record<string, Json> = {};
const parameters: Record<string, Json> = {};
function visit(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "$ref" && typeof value === "string") {
      const [, kind, name] = value.split("/") as [string, string, string];
      if (kind === "definitions" && !(name in definitions)) {
        const def = swagger.definitions[name];
        if (!def) throw new Error(`dangling reference ${value}`);
        definitions[name] = def;
        visit(def);
      } else if (kind === "parameters" && !(name in parameters)) {
        const param = swagger.parameters[name];
        if (!param) throw new Error(`dangling reference ${value}`);
        parameters[name] = param;
        visit(param);
      }
    } else {
      visit(value);
    }
  }
}
for (const root of roots) visit({ $ref: `#/definitions/${root}` });
visit(paths);

const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] as T]));
mkdirSync(outDir, { recursive: true });
const out = {
  generated: "by scripts/generate-api.ts from the upstream Kubernetes OpenAPI definitions; do not edit",
  kubernetesVersion: KUBERNETES_VERSION,
  definitions: sorted(definitions),
  parameters: sorted(parameters),
  paths: sorted(paths),
};
writeFileSync(join(outDir, "openapi.json"), JSON.stringify(out) + "\n");
console.log(`wrote ${Object.keys(definitions).length} definitions and ${Object.keys(paths).length} paths to ${join(outDir, "openapi.json")}`);

const protobufOutput = generateProtobuf({
  sources: protoSources,
  definitions: swagger.definitions,
  servedGroupVersions: served.groupVersions,
  kubernetesVersion: KUBERNETES_VERSION,
});
writeFileSync(join(outDir, "protobuf.json"), JSON.stringify(protobufOutput.document) + "\n");
console.log(`wrote ${protobufOutput.summary} to ${join(outDir, "protobuf.json")}`);

const gnosticOutput = generateGnosticDescriptor({ source: gnosticSource, protoPath: "openapiv2/OpenAPIv2.proto" });
writeFileSync(join(outDir, "openapiv2.json"), JSON.stringify(gnosticOutput.document) + "\n");
console.log(`wrote ${gnosticOutput.summary} to ${join(outDir, "openapiv2.json")}`);
