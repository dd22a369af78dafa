// The HTTPS listener's certificates: for each TLS handshake, the served Ingresses' `spec.tls`
// entry whose hosts match the client's SNI name (an exact host before a `*.` wildcard; entries
// without hosts match any name), and that entry's kubernetes.io/tls Secret from the same
// namespace. A missing or unusable Secret, or no match, falls back to the default certificate
// (issued by the cluster CA for 127.0.0.1 and localhost). TLS contexts are built once per Secret
// resourceVersion, so a changed Secret is served from the next handshake on.
import { createSecureContext, type SecureContext } from "node:tls";
import type { KubeObject } from "../api/resource.js";
import type { CacheReader } from "../client/indexer.js";
import { olderFirst, type IngressSpec } from "./routes.js";

interface Built {
  resourceVersion: string;
  context?: SecureContext;
  problem?: string;
}

export class IngressCertificates {
  /** Exact host → secret key, wildcard suffix → secret key, then catch-all entries, oldest Ingress first. */
  private exact = new Map<string, string>();
  private wildcard = new Map<string, string>();
  private catchAll: string[] = [];
  private readonly built = new Map<string, Built>();

  constructor(
    private readonly secrets: CacheReader,
    readonly defaultContext: SecureContext,
  ) {}

  /** Re-reads the TLS entries of the served Ingresses. */
  setIngresses(ingresses: readonly KubeObject[]): void {
    this.exact = new Map();
    this.wildcard = new Map();
    this.catchAll = [];
    for (const ingress of [...ingresses].sort(olderFirst)) {
      for (const tls of ((ingress.spec ?? {}) as IngressSpec).tls ?? []) {
        if (!tls.secretName) continue;
        const key = `${ingress.metadata?.namespace}/${tls.secretName}`;
        if ((tls.hosts ?? []).length === 0) this.catchAll.push(key);
        for (const host of tls.hosts ?? []) {
          const [map, name] = host.startsWith("*.") ? [this.wildcard, host.slice(2)] : [this.exact, host];
          if (!map.has(name.toLowerCase())) map.set(name.toLowerCase(), key);
        }
      }
    }
  }

  /** The context for a handshake with this SNI name (undefined: the client sent none). */
  contextFor(servername: string | undefined): SecureContext {
    const host = (servername ?? "").toLowerCase();
    const dot = host.indexOf(".");
    const candidates = [this.exact.get(host), dot > 0 ? this.wildcard.get(host.slice(dot + 1)) : undefined, ...this.catchAll];
    for (const key of candidates) {
      const context = key === undefined ? undefined : this.build(key).context;
      if (context) return context;
    }
    return this.defaultContext;
  }

  /** Why this Secret ("namespace/name") cannot be served, if it cannot. */
  problem(secretKey: string): string | undefined {
    return this.build(secretKey).problem;
  }

  private build(secretKey: string): Built {
    const secret = this.secrets.get(secretKey);
    if (!secret) return { resourceVersion: "", problem: `TLS secret "${secretKey}" not found (or not of type kubernetes.io/tls)` };
    const resourceVersion = secret.metadata?.resourceVersion ?? "";
    const cached = this.built.get(secretKey);
    if (cached?.resourceVersion === resourceVersion) return cached;
    const built = { resourceVersion, ...buildContext(secretKey, secret) };
    this.built.set(secretKey, built);
    return built;
  }

  /** Drops the context of a Secret that changed or went away. */
  forget(secretKey: string): void {
    this.built.delete(secretKey);
  }
}

function buildContext(secretKey: string, secret: KubeObject): { context?: SecureContext; problem?: string } {
  const data = (secret.data ?? {}) as Record<string, string>;
  const cert = data["tls.crt"];
  const key = data["tls.key"];
  if (!cert || !key) return { problem: `TLS secret "${secretKey}" has no tls.crt and tls.key` };
  try {
    return { context: createSecureContext({ cert: Buffer.from(cert, "base64"), key: Buffer.from(key, "base64") }) };
  } catch (error) {
    return { problem: `TLS secret "${secretKey}" holds no usable certificate and key: ${(error as Error).message}` };
  }
}

