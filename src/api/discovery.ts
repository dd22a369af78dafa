// API discovery from the served ResourceDefs: legacy (/api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>)
// and aggregated (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, which lets kubectl start with two
// requests). Documents are built once and served as pre-serialised bytes.
import { ALL_VERBS, type ResourceDef } from "./resource.js";

export const AGGREGATED_DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const AGGREGATED_DISCOVERY_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";


/** A subresource as discovery lists it. */
interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

/** Subresources served for every kind with the matching ResourceDef facts, plus a few kind-specific ones. */
function subresourcesOf(def: ResourceDef, extra: Record<string, SubresourceInfo[]>): SubresourceInfo[] {
  const subs: SubresourceInfo[] = [];
  if (def.statusSubresource) subs.push({ name: "status", kind: def.kind, verbs: ["get", "patch", "update"] });
  if (def.scale) subs.push({ name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] });
  for (const name of Object.keys(def.partialSubresources ?? {})) subs.push({ name, kind: def.kind, verbs: ["get", "patch", "update"] });
  subs.push(...(extra[`${def.group}/${def.plural}`] ?? []));
  return subs.sort((a, b) => a.name.localeCompare(b.name));
}

interface GroupInfo {
  name: string;
  /** Versions, preferred first. */
  versions: string[];
}

export class Discovery {
  private readonly byGroupVersion = new Map<string, ResourceDef[]>();
  private readonly groups: GroupInfo[] = [];
  private readonly cache = new Map<string, string>();

  /**
   * @param resources every served kind
   * @param preferredVersions group → preferred version where it is not the first registered (autoscaling → v2)
   * @param extraSubresources "group/plural" → subresources served by dedicated handlers (pods/binding, ...)
   */
  constructor(
    resources: ResourceDef[],
    private readonly preferredVersions: Record<string, string>,
    private readonly extraSubresources: Record<string, SubresourceInfo[]>,
  ) {
    for (const def of resources) {
      const gv = groupVersion(def.group, def.version);
      const list = this.byGroupVersion.get(gv) ?? [];
      list.push(def);
      this.byGroupVersion.set(gv, list);
      let group = this.groups.find((g) => g.name === def.group);
      if (!group) this.groups.push((group = { name: def.group, versions: [] }));
      if (!group.versions.includes(def.version)) group.versions.push(def.version);
    }
    for (const group of this.groups) {
      const preferred = this.preferredVersions[group.name];
      if (preferred) group.versions.sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
    }
  }

  /** The def serving group/version/plural, if any. */
  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGroupVersion.get(groupVersion(group, version))?.find((d) => d.plural === plural);
  }

  /** The def serving group/version/kind, if any (a policy's paramKind names a kind, not a resource). */
  findKind(group: string, version: string, kind: string): ResourceDef | undefined {
    return this.byGroupVersion.get(groupVersion(group, version))?.find((d) => d.kind === kind);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGroupVersion.has(groupVersion(group, version));
  }

  /** GET /api */
  apiVersions(serverAddress: string): string {
    return JSON.stringify({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] });
  }

  /** GET /apis */
  apiGroupList(): string {
    return this.memo("groups", () => ({ kind: "APIGroupList", apiVersion: "v1", groups: this.groups.filter((g) => g.name !== "").map((g) => this.apiGroup(g)) }));
  }

  /** GET /apis/<group>, or undefined when not served. */
  apiGroupDocument(name: string): string | undefined {
    const group = this.groups.find((g) => g.name === name && name !== "");
    return group ? this.memo(`group/${name}`, () => ({ kind: "APIGroup", apiVersion: "v1", ...this.apiGroup(group) })) : undefined;
  }

  /** GET /api/v1 or /apis/<group>/<version>, or undefined when not served. */
  apiResourceList(group: string, version: string): string | undefined {
    const defs = this.byGroupVersion.get(groupVersion(group, version));
    if (!defs) return undefined;
    return this.memo(`resources/${groupVersion(group, version)}`, () => ({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: groupVersion(group, version),
      resources: defs.flatMap((def) => this.apiResources(def)),
    }));
  }

  /** The aggregated document for /api (core only) or /apis (all named groups). */
  aggregated(core: boolean): string {
    return this.memo(`aggregated/${core}`, () => ({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      metadata: {},
      items: this.groups.filter((g) => (g.name === "") === core).map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => ({ version: v, resources: (this.byGroupVersion.get(groupVersion(g.name, v)) ?? []).map((def) => this.aggregatedResource(def)), freshness: "Current" })),
      })),
    }));
  }

  /** Which aggregated discovery media type the Accept header asks for, if any. */
  static aggregatedMediaType(accept: string | undefined): string | undefined {
    if (!accept) return undefined;
    const wants = (version: string) => accept.split(",").some((p) => p.includes("g=apidiscovery.k8s.io") && p.includes(`v=${version}`) && p.includes("as=APIGroupDiscoveryList"));
    if (wants("v2")) return AGGREGATED_DISCOVERY_V2;
    if (wants("v2beta1")) return AGGREGATED_DISCOVERY_V2BETA1;
    return undefined;
  }

  private apiGroup(group: GroupInfo) {
    const versions = group.versions.map((v) => ({ groupVersion: groupVersion(group.name, v), version: v }));
    return { name: group.name, versions, preferredVersion: versions[0] };
  }

  private apiResources(def: ResourceDef) {
    const main: Record<string, unknown> = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs ?? ALL_VERBS };
    if (def.shortNames?.length) main.shortNames = def.shortNames;
    if (def.categories?.length) main.categories = def.categories;
    const subs = subresourcesOf(def, this.extraSubresources).map((s) => {
      const entry: Record<string, unknown> = { name: `${def.plural}/${s.name}`, singularName: "", namespaced: def.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) entry.group = s.group;
      if (s.version !== undefined) entry.version = s.version;
      return entry;
    });
    return [main, ...subs];
  }

  private aggregatedResource(def: ResourceDef) {
    const entry: Record<string, unknown> = {
      resource: def.plural,
      responseKind: { group: def.group, version: def.version, kind: def.kind },
      scope: def.namespaced ? "Namespaced" : "Cluster",
      singularResource: def.singular,
      verbs: def.verbs ?? ALL_VERBS,
    };
    if (def.shortNames?.length) entry.shortNames = def.shortNames;
    if (def.categories?.length) entry.categories = def.categories;
    const subs = subresourcesOf(def, this.extraSubresources);
    if (subs.length) {
      entry.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group ?? def.group, version: s.version ?? def.version, kind: s.kind }, verbs: s.verbs }));
    }
    return entry;
  }

  private memo(key: string, build: () => unknown): string {
    let doc = this.cache.get(key);
    if (doc === undefined) this.cache.set(key, (doc = JSON.stringify(build())));
    return doc;
  }
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
