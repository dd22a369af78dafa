// Generates kubelite's protobuf descriptors (src/api/generated/protobuf.json) from the upstream
// Kubernetes `generated.proto` files and the Go struct tags beside them.
//
// Guarantees: the descriptor holds exactly the proto packages of the served group/versions and
// what they import (meta/v1, runtime, runtime/schema, resource, intstr), parsed by protobufjs, so
// field numbers and types are upstream's. Each field carries, as options, the facts the proto file
// lacks but the JSON form needs, read from the Go struct tag with the same field number:
//   `json`      the Go json tag ("replicas,omitempty", "name", ",inline")
//   `goPointer` true when the Go field is a pointer (so a present zero value is meaningful)
// and each message that is a Go named slice (`type ExtraValue []string`) carries `goSlice: true`.
// `groupVersions` maps every served group/version to its proto package, and lists the kinds of
// that group/version whose messages live in another package (meta/v1's DeleteOptions...).
//
// Assumes upstream's layout: a Go package `k8s.io/api/apps/v1` has its proto at
// `apps/v1/generated.proto` in the module `k8s.io/api`, its Go types in the same directory, and
// OpenAPI definition names are the reversed Go package path (`io.k8s.api.apps.v1.Deployment`).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";

type Json = Record<string, unknown>;

/** Where one Go module's sources are read from: a git repository at a ref, or a directory. */
export interface ModuleSource {
  module: string;
  location: string;
  ref?: string;
}

export interface ProtobufInputs {
  sources: ModuleSource[];
  /** The upstream OpenAPI v2 definitions (for group/version/kind → Go package). */
  definitions: Record<string, Json>;
  /** Served kinds per group/version ("v1", "apps/v1"...). */
  servedGroupVersions: Record<string, string[]>;
  kubernetesVersion: string;
}

interface SourceTree {
  read(path: string): string;
  list(dir: string): string[];
  describe(): string;
}

function gitTree(gitDir: string, ref: string): SourceTree {
  const git = (...args: string[]) => execFileSync("git", ["-C", gitDir, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  const commit = git("rev-parse", `${ref}^{commit}`).trim();
  return {
    read: (path) => git("show", `${commit}:${path}`),
    list: (dir) => git("ls-tree", "--name-only", commit, `${dir}/`).split("\n").filter(Boolean),
    describe: () => `${ref} (${commit})`,
  };
}

function directoryTree(root: string): SourceTree {
  return {
    read: (path) => readFileSync(join(root, path), "utf8"),
    list: (dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`),
    describe: () => root,
  };
}

function isBareGitDir(path: string): boolean {
  return existsSync(join(path, "HEAD")) && existsSync(join(path, "objects")) && statSync(join(path, "objects")).isDirectory();
}

/** "PATH@REF" reads a git repository at REF; a bare git directory reads `defaultRef`; anything else is a plain directory. */
export function parseModuleSource(module: string, spec: string, defaultRef: string): ModuleSource {
  const at = spec.lastIndexOf("@");
  if (at > 0) return { module, location: spec.slice(0, at), ref: spec.slice(at + 1) };
  return isBareGitDir(spec) ? { module, location: spec, ref: defaultRef } : { module, location: spec };
}

class ModuleResolver {
  private readonly trees: { module: string; tree: SourceTree }[];

  constructor(sources: ModuleSource[]) {
    this.trees = sources
      .map((s) => ({ module: s.module, tree: s.ref === undefined ? directoryTree(s.location) : gitTree(s.location, s.ref) }))
      .sort((a, b) => b.module.length - a.module.length);
  }

  /** The tree holding a Go import path ("k8s.io/api/apps/v1/...") and the path inside it. */
  locate(importPath: string): { tree: SourceTree; path: string } {
    for (const { module, tree } of this.trees) {
      if (importPath.startsWith(`${module}/`)) return { tree, path: importPath.slice(module.length + 1) };
    }
    throw new Error(`no source given for ${importPath} (known modules: ${this.trees.map((t) => t.module).join(", ")})`);
  }

  provenance(): Record<string, string> {
    return Object.fromEntries(this.trees.map(({ module, tree }) => [module, tree.describe()]));
  }
}

interface ProtoFile {
  importPath: string;
  protoPackage: string;
  goPackage: string;
}

/** Parses the given proto files and everything they import into one protobufjs root. */
function loadProtoFiles(resolver: ModuleResolver, entries: string[]): { root: protobuf.Root; files: ProtoFile[] } {
  const root = new protobuf.Root();
  const files: ProtoFile[] = [];
  const pending = [...entries];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const importPath = pending.shift()!;
    if (seen.has(importPath)) continue;
    seen.add(importPath);
    const { tree, path } = resolver.locate(importPath);
    const parsed = protobuf.parse(tree.read(path), root, { keepCase: true });
    if (!parsed.package) throw new Error(`${importPath} declares no package`);
    files.push({ importPath, protoPackage: parsed.package, goPackage: importPath.replace(/\/generated\.proto$/, "") });
    pending.push(...(parsed.imports ?? []));
  }
  root.resolveAll();
  return { root, files };
}

interface GoField {
  json: string;
  pointer: boolean;
}

interface GoTypes {
  /** struct name → proto field number → facts */
  structs: Map<string, Map<number, GoField>>;
  /** names of `type X []T` declarations */
  namedSlices: Set<string>;
}

const STRUCT_START = /^type\s+(\w+)\s+struct\s*\{/;
const NAMED_SLICE = /^type\s+(\w+)\s+\[\][\w.*]+\s*(\/\/.*)?$/;
const FIELD = /^\s*(?:(\w+)\s+)?([*\[\]\w.]+)\s+`([^`]*)`/;

function isHandWrittenGoSource(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.endsWith(".go") && !name.endsWith("_test.go") && !name.startsWith("zz_generated") && name !== "generated.pb.go" && !name.endsWith("_swagger_doc_generated.go");
}

/** Reads the struct fields that carry a protobuf tag from the Go files of one package directory. */
function readGoTypes(tree: SourceTree, dir: string): GoTypes {
  const types: GoTypes = { structs: new Map(), namedSlices: new Set() };
  for (const file of tree.list(dir).filter(isHandWrittenGoSource)) {
    collectGoTypes(tree.read(file), types);
  }
  return types;
}

function collectGoTypes(source: string, types: GoTypes): void {
  let current: Map<number, GoField> | undefined;
  for (const line of source.split("\n")) {
    const slice = NAMED_SLICE.exec(line);
    if (slice) types.namedSlices.add(slice[1]!);
    const start = STRUCT_START.exec(line);
    if (start) {
      current = new Map();
      types.structs.set(start[1]!, current);
      continue;
    }
    if (line.startsWith("}")) current = undefined;
    if (current) addGoField(line, current);
  }
}

function addGoField(line: string, fields: Map<number, GoField>): void {
  const match = FIELD.exec(line);
  if (!match) return;
  const tag = match[3]!;
  const protobufTag = /protobuf:"([^"]*)"/.exec(tag)?.[1];
  if (protobufTag === undefined || protobufTag === "-") return;
  const number = Number(protobufTag.split(",")[1]);
  if (!Number.isInteger(number)) throw new Error(`unreadable protobuf tag in: ${line.trim()}`);
  const json = /json:"([^"]*)"/.exec(tag)?.[1] ?? match[1] ?? "";
  fields.set(number, { json, pointer: match[2]!.startsWith("*") });
}

/** The nested JSON namespace of a dotted proto package inside a protobufjs root JSON. */
function packageNamespace(descriptor: Json, protoPackage: string): Record<string, Json> {
  let node: Json = descriptor;
  for (const part of protoPackage.split(".")) {
    node = (node["nested"] as Record<string, Json>)[part]!;
  }
  return (node["nested"] ?? {}) as Record<string, Json>;
}

/** Adds the Go facts to each message of one package; returns the messages no Go struct describes. */
function annotatePackage(messages: Record<string, Json>, goTypes: GoTypes): string[] {
  const undescribed: string[] = [];
  for (const [name, message] of Object.entries(messages)) {
    const fields = message["fields"] as Record<string, Json> | undefined;
    if (!fields) continue;
    if (goTypes.namedSlices.has(name) && Object.keys(fields).join() === "items") {
      message["options"] = { ...(message["options"] as Json | undefined), goSlice: true };
      continue;
    }
    const facts = goTypes.structs.get(name);
    if (!facts || facts.size === 0) {
      undescribed.push(name);
      continue;
    }
    for (const [fieldName, field] of Object.entries(fields)) {
      const fact = facts.get(field["id"] as number);
      if (!fact) throw new Error(`${name}.${fieldName}: no Go field with protobuf number ${String(field["id"])}`);
      field["options"] = { ...(field["options"] as Json | undefined), json: fact.json, ...(fact.pointer ? { goPointer: true } : {}) };
    }
  }
  return undescribed;
}

/** "io.k8s.api.apps.v1" → "k8s.io/api/apps/v1" (upstream's definition names reverse the Go path's domain). */
function goPackageOfDefinitionNamespace(namespace: string): string {
  const [tld, domain, ...rest] = namespace.split(".");
  return [`${domain}.${tld}`, ...rest].join("/");
}

function namespaceOf(definitionName: string): string {
  return definitionName.slice(0, definitionName.lastIndexOf("."));
}

interface GroupVersionKindRef {
  group: string;
  version: string;
  kind: string;
}

function gvksOf(schema: Json): GroupVersionKindRef[] {
  return (schema["x-kubernetes-group-version-kind"] ?? []) as GroupVersionKindRef[];
}

function groupVersionOf(gvk: GroupVersionKindRef): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/** The one Go package that defines the served kinds of each served group/version. */
function goPackagesOfGroupVersions(inputs: ProtobufInputs): Map<string, string> {
  const packages = new Map<string, Set<string>>();
  for (const [name, schema] of Object.entries(inputs.definitions)) {
    for (const gvk of gvksOf(schema)) {
      const gv = groupVersionOf(gvk);
      if (!inputs.servedGroupVersions[gv]?.includes(gvk.kind)) continue;
      const set = packages.get(gv) ?? new Set();
      set.add(goPackageOfDefinitionNamespace(namespaceOf(name)));
      packages.set(gv, set);
    }
  }
  const result = new Map<string, string>();
  for (const gv of Object.keys(inputs.servedGroupVersions)) {
    const found = [...(packages.get(gv) ?? [])];
    if (found.length !== 1) throw new Error(`group/version ${gv}: expected its served kinds in one Go package, found [${found.join(", ")}]`);
    result.set(gv, found[0]!);
  }
  return result;
}

interface GroupVersionEntry {
  package: string;
  /** kind → full message name, for kinds of this group/version defined in another package. */
  sharedKinds?: Record<string, string>;
}

function groupVersionEntries(inputs: ProtobufInputs, goPackages: Map<string, string>, files: ProtoFile[], root: protobuf.Root): Record<string, GroupVersionEntry> {
  const protoPackageOfGo = new Map(files.map((f) => [f.goPackage, f.protoPackage]));
  const entries: Record<string, GroupVersionEntry> = {};
  for (const [gv, goPackage] of [...goPackages].sort(([a], [b]) => a.localeCompare(b))) {
    entries[gv] = { package: protoPackageOfGo.get(goPackage)! };
  }
  for (const [name, schema] of Object.entries(inputs.definitions)) {
    for (const gvk of gvksOf(schema)) {
      const entry = entries[groupVersionOf(gvk)];
      const protoPackage = protoPackageOfGo.get(goPackageOfDefinitionNamespace(namespaceOf(name)));
      if (!entry || protoPackage === undefined || protoPackage === entry.package) continue;
      const message = `${protoPackage}.${gvk.kind}`;
      if (root.lookup(message) === null) continue;
      entry.sharedKinds = { ...entry.sharedKinds, [gvk.kind]: message };
    }
  }
  return entries;
}

export interface ProtobufOutput {
  document: Json;
  summary: string;
}

export function generateProtobuf(inputs: ProtobufInputs): ProtobufOutput {
  const resolver = new ModuleResolver(inputs.sources);
  const goPackages = goPackagesOfGroupVersions(inputs);
  const entries = [...new Set(goPackages.values())].map((p) => `${p}/generated.proto`);
  const { root, files } = loadProtoFiles(resolver, entries);
  const descriptor = root.toJSON() as Json;
  const undescribed: string[] = [];
  for (const file of files) {
    const { tree, path } = resolver.locate(file.goPackage + "/generated.proto");
    const goTypes = readGoTypes(tree, path.slice(0, path.lastIndexOf("/")));
    undescribed.push(...annotatePackage(packageNamespace(descriptor, file.protoPackage), goTypes).map((m) => `${file.protoPackage}.${m}`));
  }
  const document = {
    generated: "by scripts/generate-api.ts (generate-protobuf.ts) from the upstream Kubernetes generated.proto files and Go struct tags; do not edit",
    kubernetesVersion: inputs.kubernetesVersion,
    sources: resolver.provenance(),
    groupVersions: groupVersionEntries(inputs, goPackages, files, root),
    descriptor,
  };
  const summary = `${files.length} proto files (${files.map((f) => f.protoPackage).sort().join(", ")}); messages without Go struct tags (special JSON forms): ${undescribed.sort().join(", ")}`;
  return { document, summary };
}

/** Where the gnostic OpenAPIv2 proto is read from, and its path in that tree. */
export interface GnosticInputs {
  source: ModuleSource;
  /** Path of the proto file inside the source ("openapiv2/OpenAPIv2.proto"). */
  protoPath: string;
}

/**
 * The protobuf descriptor of gnostic's OpenAPIv2 `Document` (package openapi.v2), the message
 * kube-apiserver serves /openapi/v2 as. Parsed from gnostic's own .proto with field names kept as
 * written there (`vendor_extension`, `_ref`); its one import, google/protobuf/any.proto, is the
 * well-known type as protobufjs ships it.
 */
export function generateGnosticDescriptor(inputs: GnosticInputs): ProtobufOutput {
  const tree = inputs.source.ref === undefined ? directoryTree(inputs.source.location) : gitTree(inputs.source.location, inputs.source.ref);
  const root = new protobuf.Root();
  const parsed = protobuf.parse(tree.read(inputs.protoPath), root, { keepCase: true });
  for (const imported of parsed.imports ?? []) {
    const wellKnown = protobuf.common.get(imported) as { nested?: Record<string, protobuf.AnyNestedObject> } | null;
    if (!wellKnown?.nested) throw new Error(`${inputs.protoPath} imports ${imported}, which is not a well-known type protobufjs ships`);
    root.addJSON(wellKnown.nested);
  }
  root.resolveAll();
  if (parsed.package !== "openapi.v2" || root.lookupType("openapi.v2.Document") === null) throw new Error(`${inputs.protoPath} does not define openapi.v2.Document`);
  const messages = Object.keys(packageNamespace(root.toJSON() as Json, parsed.package)).length;
  const document = {
    generated: "by scripts/generate-api.ts (generate-protobuf.ts) from gnostic's openapiv2/OpenAPIv2.proto; do not edit",
    source: { module: inputs.source.module, path: inputs.protoPath, version: tree.describe() },
    package: parsed.package,
    descriptor: root.toJSON(),
  };
  return { document, summary: `${messages} messages of ${parsed.package} (${inputs.protoPath} at ${tree.describe()})` };
}
