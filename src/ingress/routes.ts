// The routing table built from the served Ingresses, as the Ingress API specifies matching:
// - hosts: an exact host first, then a `*.example.com` wildcard, which matches exactly one more
//   label (`a.example.com`, not `example.com` nor `b.a.example.com`), then rules without a host;
// - paths within the chosen host: the longest matching path wins, an Exact match over a Prefix
//   one of the same length; `Prefix` matches element-wise on `/`-separated segments with a
//   trailing slash ignored (`/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`);
//   `ImplementationSpecific` is treated as Prefix (an empty path as `/`);
// - nothing matches in the chosen host: the default backend of an Ingress contributing to that
//   host, else of any served Ingress; none: no route (the caller answers 404).
// Where two Ingresses claim the same host, path and type, the older one wins (creation time,
// then namespace/name), so adding an Ingress never silently takes over another's traffic.
// Built once per change of the served Ingresses; a lookup is a map hit plus a scan of that host's
// paths (longest first).
import type { KubeObject } from "../api/resource.js";

export interface ServiceBackend {
  name: string;
  port: { number?: number; name?: string };
}

export interface IngressBackend {
  service?: ServiceBackend;
  resource?: { kind?: string; name?: string };
}

/** Where a request goes: a backend of one Ingress (for its namespace and events). */
export interface Route {
  namespace: string;
  ingress: string;
  backend: IngressBackend;
}

interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: IngressBackend;
}

export interface IngressSpec {
  defaultBackend?: IngressBackend;
  rules?: { host?: string; http?: { paths?: IngressPath[] } }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

interface PathRoute {
  /** Exact: the path; Prefix: the path without its trailing slash ("" for "/"). */
  match: string;
  exact: boolean;
  /** The path as written, whose length ranks matches. */
  length: number;
  route: Route;
}

class HostRoutes {
  readonly exact = new Map<string, Route>();
  /** Longest first. */
  prefixes: PathRoute[] = [];
  defaultRoute?: Route;

  add(entry: PathRoute): void {
    if (entry.exact) {
      if (!this.exact.has(entry.match)) this.exact.set(entry.match, entry.route);
    } else if (!this.prefixes.some((p) => p.match === entry.match)) {
      this.prefixes.push(entry);
    }
  }

  lookup(path: string): Route | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact; // as long as the request path: no Prefix match is longer
    for (const prefix of this.prefixes) {
      if (prefixMatches(prefix.match, path)) return prefix.route;
    }
    return undefined;
  }
}

/** Element-wise: "/foo" matches "/foo", "/foo/" and "/foo/bar" but not "/foobar"; "" matches all. */
export function prefixMatches(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path[prefix.length] === "/";
}

export class RouteTable {
  private readonly exactHosts = new Map<string, HostRoutes>();
  /** Keyed by the wildcard's suffix: "*.example.com" → "example.com". */
  private readonly wildcardHosts = new Map<string, HostRoutes>();
  private readonly anyHost = new HostRoutes();
  private defaultRoute?: Route;

  /** `ingresses` are the served ones; their order does not matter. */
  constructor(ingresses: readonly KubeObject[]) {
    for (const ingress of [...ingresses].sort(olderFirst)) this.addIngress(ingress);
    for (const hosts of [this.exactHosts.values(), this.wildcardHosts.values(), [this.anyHost]]) {
      for (const host of hosts) host.prefixes.sort((a, b) => b.length - a.length);
    }
  }

  /** The route for a request's host (without port, any case) and path (without query). */
  match(host: string, path: string): Route | undefined {
    const routes = this.hostRoutes(host.toLowerCase());
    return routes.lookup(path) ?? routes.defaultRoute ?? this.defaultRoute;
  }

  private hostRoutes(host: string): HostRoutes {
    const exact = this.exactHosts.get(host);
    if (exact) return exact;
    const dot = host.indexOf(".");
    const wildcard = dot > 0 ? this.wildcardHosts.get(host.slice(dot + 1)) : undefined;
    return wildcard ?? this.anyHost;
  }

  private addIngress(ingress: KubeObject): void {
    const namespace = ingress.metadata?.namespace ?? "";
    const name = ingress.metadata?.name ?? "";
    const spec = (ingress.spec ?? {}) as IngressSpec;
    const defaultRoute = spec.defaultBackend ? { namespace, ingress: name, backend: spec.defaultBackend } : undefined;
    this.defaultRoute ??= defaultRoute;
    for (const rule of spec.rules ?? []) {
      const routes = this.routesFor(rule.host ?? "");
      if (defaultRoute) routes.defaultRoute ??= defaultRoute;
      for (const entry of rule.http?.paths ?? []) {
        if (!entry.backend) continue;
        const path = entry.path || "/";
        const exact = entry.pathType === "Exact";
        routes.add({ match: exact ? path : path.replace(/\/+$/, ""), exact, length: path.length, route: { namespace, ingress: name, backend: entry.backend } });
      }
    }
  }

  private routesFor(host: string): HostRoutes {
    if (host === "") return this.anyHost;
    const [map, key] = host.startsWith("*.") ? [this.wildcardHosts, host.slice(2)] : [this.exactHosts, host];
    let routes = map.get(key.toLowerCase());
    if (!routes) map.set(key.toLowerCase(), (routes = new HostRoutes()));
    return routes;
  }
}

/** Creation time, then namespace/name: the older Ingress keeps a contested route. */
export function olderFirst(a: KubeObject, b: KubeObject): number {
  const byTime = (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? "");
  if (byTime !== 0) return byTime;
  return `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`);
}

