// The cluster's certificates: a CA, the API server's serving certificate and the admin client
// certificate, created on first start in DATA_DIR/tls/ and reused afterwards.
//
// Guarantees: the CA is never replaced silently (a CA certificate without its key, or with a key
// that does not match, is an error); leaf certificates are re-issued when they are missing, do
// not match their key, were not signed by the CA, expire within RENEW_BEFORE_DAYS, or (serving
// certificate) lack a requested SAN. Keys are written with mode 0600 in a 0700 directory; what the
// certificates contain is certificate-issuer.ts's business.
//
// Loading uses node:crypto only; @peculiar/x509 (about 70 ms to import) is loaded only when
// something must be issued.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { isIP } from "node:net";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import {
  type Authority, type CertificateContent, type CertKeyPair, type ClientIdentity, DAY_MS, type IssuerContext, type LeafSpec,
  clientSpec, createCA, issueLeaf, servingSpec, signLeaf,
} from "./certificate-issuer.js";
import { readFileIfExists, writeFileAtomic } from "./credential-files.js";

export type { CertKeyPair, ClientIdentity } from "./certificate-issuer.js";

/** Leaf certificates closer than this to expiry are re-issued at start (k3s uses 90 days too). */
const RENEW_BEFORE_DAYS = 90;

export const ADMIN_USER = "kubelite-admin";
export const MASTERS_GROUP = "system:masters";

/** The API server's identity towards node agents (kubeadm's apiserver-kubelet-client). */
export const KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client";

export type PKIComponent = "ca" | "server" | "admin" | "kubelet-client";

export interface PKIOptions {
  dataDir: string;
  /** Extra DNS names for the serving certificate (from --tls-san); IPs given here are moved to `ips`. */
  hostnames?: readonly string[];
  /** Extra IP addresses for the serving certificate. */
  ips?: readonly string[];
  /** The machine's host name; defaults to os.hostname(). */
  hostName?: string;
  now?: () => Date;
  crypto?: Crypto;
  /** Re-issue every leaf certificate even when it is current (`kubelite certs rotate`). */
  renewAll?: boolean;
  /** Fail instead of creating a CA when there is none (commands that act on an existing cluster). */
  requireCA?: boolean;
}

export interface PKI {
  /** DATA_DIR/tls */
  readonly dir: string;
  readonly caCertPem: string;
  readonly server: CertKeyPair;
  readonly admin: CertKeyPair;
  /** The API server's client certificate for node agents (logs, exec, attach, port-forward). */
  readonly kubeletClient: CertKeyPair;
  /** What this call created or re-issued (empty when everything was reused). */
  readonly issued: readonly PKIComponent[];
  /** When each certificate (the CA and the leaves) stops being valid. */
  readonly expiries: readonly { component: PKIComponent; notAfter: Date }[];
  /** Issues a client certificate signed by the cluster CA (not written to disk). */
  issueClientCertificate(identity: ClientIdentity): Promise<CertKeyPair>;
  /** Issues a serving certificate for these names, signed by the cluster CA (node agents' servers). */
  issueServingCertificate(names: { dnsNames: readonly string[]; ips: readonly string[] }): Promise<CertKeyPair>;
  /** Signs a certificate for someone else's public key (CertificateSigningRequests); returns its PEM. */
  signCertificate(content: CertificateContent): Promise<string>;
}

interface Context extends IssuerContext {
  dir: string;
  renewAll: boolean;
  requireCA: boolean;
}

export async function loadOrCreatePKI(options: PKIOptions): Promise<PKI> {
  const ctx: Context = {
    dir: join(options.dataDir, "tls"),
    now: options.now ?? (() => new Date()),
    crypto: options.crypto ?? globalThis.crypto,
    renewAll: options.renewAll ?? false,
    requireCA: options.requireCA ?? false,
  };
  await mkdir(ctx.dir, { recursive: true, mode: 0o700 });
  const issued: PKIComponent[] = [];
  const ca = await loadOrCreateCA(ctx, issued);
  const server = await ensureLeaf(ctx, ca, { component: "server", spec: servingSpec(servingNames(options)) }, issued);
  const admin = await ensureLeaf(ctx, ca, { component: "admin", spec: clientSpec({ user: ADMIN_USER, groups: [MASTERS_GROUP] }) }, issued);
  const kubeletClient = await ensureLeaf(ctx, ca, { component: "kubelet-client", spec: clientSpec({ user: KUBELET_CLIENT_USER, groups: [MASTERS_GROUP] }) }, issued);
  return {
    dir: ctx.dir,
    caCertPem: ca.certPem,
    server,
    admin,
    kubeletClient,
    issued,
    expiries: [
      { component: "ca", notAfter: new Date(ca.cert.validTo) },
      ...([["server", server], ["admin", admin], ["kubelet-client", kubeletClient]] as const).map(([component, pair]) => ({ component, notAfter: new Date(new X509Certificate(pair.certPem).validTo) })),
    ],
    issueClientCertificate: async (identity) => issueLeaf(ctx, ca, clientSpec(identity)),
    issueServingCertificate: async (names) => issueLeaf(ctx, ca, servingSpec(names)),
    signCertificate: async (content) => signLeaf(ctx, ca, content),
  };
}

/** The SANs a serving certificate in DATA_DIR/tls has, so a rotation keeps the server's --tls-san names. */
export function currentServingNames(certPem: string | undefined): { dnsNames: string[]; ips: string[] } {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const entry of (certPem ? new X509Certificate(certPem).subjectAltName ?? "" : "").split(",")) {
    const [kind, value] = entry.trim().split(/:(.*)/s, 2);
    if (kind === "DNS" && value) dnsNames.push(value);
    if (kind === "IP Address" && value) ips.push(value);
  }
  return { dnsNames, ips };
}

/** The serving certificate's SANs: localhost, loopback IPs, the host name, plus extras. */
export function servingNames(options: Pick<PKIOptions, "hostnames" | "ips" | "hostName">): { dnsNames: string[]; ips: string[] } {
  const dnsNames = new Set<string>(["localhost", (options.hostName ?? osHostname()).toLowerCase()]);
  const ips = new Set<string>(["127.0.0.1", "::1"]);
  for (const raw of [...(options.hostnames ?? []), ...(options.ips ?? [])]) {
    const value = raw.trim().toLowerCase();
    if (value === "") continue;
    if (isIP(value) !== 0) ips.add(value);
    else dnsNames.add(value);
  }
  dnsNames.delete("");
  return { dnsNames: [...dnsNames], ips: [...ips] };
}

// ---- loading and checking (node:crypto only) ----

interface StoredPair {
  certPem: string | undefined;
  keyPem: string | undefined;
}

async function readPair(dir: string, name: string): Promise<StoredPair> {
  const [certPem, keyPem] = await Promise.all([
    readFileIfExists(join(dir, `${name}.crt`)),
    readFileIfExists(join(dir, `${name}.key`)),
  ]);
  return { certPem, keyPem };
}

async function loadOrCreateCA(ctx: Context, issued: PKIComponent[]): Promise<Authority> {
  const stored = await readPair(ctx.dir, "ca");
  if (stored.certPem === undefined) {
    if (ctx.requireCA) throw new Error(`there is no cluster CA in ${ctx.dir}: start \`kubelite server\` with this data dir first (or pass --data-dir)`);
    const created = await createCA(ctx);
    await writePair(ctx.dir, "ca", created);
    issued.push("ca");
    return toAuthority(created);
  }
  if (stored.keyPem === undefined) {
    throw new Error(`${join(ctx.dir, "ca.crt")} exists but ca.key is missing; restore it or remove ${ctx.dir} to create a new cluster CA`);
  }
  const ca = toAuthority({ certPem: stored.certPem, keyPem: stored.keyPem });
  checkAuthority(ctx, ca);
  return ca;
}

function toAuthority(pair: CertKeyPair): Authority {
  return { ...pair, cert: new X509Certificate(pair.certPem), key: createPrivateKey(pair.keyPem) };
}

function checkAuthority(ctx: Context, ca: Authority): void {
  const where = join(ctx.dir, "ca.crt");
  if (!ca.cert.ca) throw new Error(`${where} is not a CA certificate`);
  if (!ca.cert.checkPrivateKey(ca.key)) throw new Error(`${where} does not match ca.key`);
  const expires = Date.parse(ca.cert.validTo);
  if (expires <= ctx.now().getTime()) {
    throw new Error(`the cluster CA ${where} expired on ${ca.cert.validTo}; remove ${ctx.dir} to create a new one`);
  }
}

interface LeafFile {
  component: Exclude<PKIComponent, "ca">;
  spec: LeafSpec;
}

async function ensureLeaf(ctx: Context, ca: Authority, { component, spec }: LeafFile, issued: PKIComponent[]): Promise<CertKeyPair> {
  const stored = await readPair(ctx.dir, component);
  if (stored.certPem !== undefined && stored.keyPem !== undefined) {
    const pair = { certPem: stored.certPem, keyPem: stored.keyPem };
    if (!ctx.renewAll && leafIsCurrent(ctx, ca, spec, pair)) return pair;
  }
  const pair = await issueLeaf(ctx, ca, spec);
  await writePair(ctx.dir, component, pair);
  issued.push(component);
  return pair;
}

function leafIsCurrent(ctx: Context, ca: Authority, spec: LeafSpec, pair: CertKeyPair): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    const renewAt = Date.parse(cert.validTo) - RENEW_BEFORE_DAYS * DAY_MS;
    return (
      cert.checkPrivateKey(createPrivateKey(pair.keyPem)) &&
      cert.checkIssued(ca.cert) &&
      cert.verify(ca.cert.publicKey) &&
      renewAt > ctx.now().getTime() &&
      spec.dnsNames.every((name) => cert.checkHost(name, { subject: "never", wildcards: false }) !== undefined) &&
      spec.ips.every((ip) => cert.checkIP(ip) !== undefined)
    );
  } catch {
    return false; // unreadable PEM: issue a fresh one
  }
}

// ---- files ----

/** Key first, certificate last: a present certificate implies its key was written. */
async function writePair(dir: string, name: string, pair: CertKeyPair): Promise<void> {
  await writeFileAtomic(join(dir, `${name}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, `${name}.crt`), pair.certPem, 0o644);
}
