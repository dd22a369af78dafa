// The cluster's certificates: a CA, the API server's serving certificate and the admin client
// certificate, created on first start in DATA_DIR/tls/ and reused afterwards.
//
// Guarantees: the CA is never replaced silently (a CA certificate without its key, or with a key
// that does not match, is an error); leaf certificates are re-issued when they are missing, do
// not match their key, were not signed by the CA, expire within RENEW_BEFORE_DAYS, or (serving
// certificate) lack a requested SAN. Keys are ECDSA P-256 in PKCS#8 PEM (mode 0600), which both
// Node's `tls` and Go clients (kubectl) accept. Certificates follow what Go's crypto/x509 checks:
// random positive serials, SKI/AKI, CA basicConstraints + keyCertSign, EKU serverAuth/clientAuth.
//
// Loading uses node:crypto only; @peculiar/x509 (about 70 ms to import) is loaded only when
// something must be issued.
import { KeyObject, X509Certificate, createPrivateKey, type webcrypto } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import type * as X509 from "@peculiar/x509";

type X509Module = typeof X509;

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 365;
/** Leaf certificates closer than this to expiry are re-issued at start (k3s uses 90 days too). */
const RENEW_BEFORE_DAYS = 90;
/** notBefore is back-dated so that clients with a slightly slow clock accept a fresh cert. */
const BACKDATE_MS = 60 * 60 * 1000;
const LEAF_KEY: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

export const ADMIN_USER = "kubelite-admin";
export const MASTERS_GROUP = "system:masters";

export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

/** Who a client certificate identifies: CN = user, one O per group (as kube-apiserver reads them). */
export interface ClientIdentity {
  user: string;
  groups?: readonly string[];
  validityDays?: number;
}

export type PKIComponent = "ca" | "server" | "admin";

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
}

export interface PKI {
  /** DATA_DIR/tls */
  readonly dir: string;
  readonly caCertPem: string;
  readonly server: CertKeyPair;
  readonly admin: CertKeyPair;
  /** What this call created or re-issued (empty when everything was reused). */
  readonly issued: readonly PKIComponent[];
  /** Issues a client certificate signed by the cluster CA (not written to disk). */
  issueClientCertificate(identity: ClientIdentity): Promise<CertKeyPair>;
}

interface Context {
  dir: string;
  now: () => Date;
  crypto: Crypto;
}

/** The CA as loaded: PEM plus parsed forms for checking and signing. */
interface Authority extends CertKeyPair {
  cert: X509Certificate;
  key: KeyObject;
}

interface LeafSpec {
  usage: "server" | "client";
  commonName: string;
  organizations: readonly string[];
  dnsNames: readonly string[];
  ips: readonly string[];
  validityDays: number;
}

export async function loadOrCreatePKI(options: PKIOptions): Promise<PKI> {
  const ctx: Context = {
    dir: join(options.dataDir, "tls"),
    now: options.now ?? (() => new Date()),
    crypto: options.crypto ?? globalThis.crypto,
  };
  await mkdir(ctx.dir, { recursive: true, mode: 0o700 });
  const issued: PKIComponent[] = [];
  const ca = await loadOrCreateCA(ctx, issued);
  const server = await ensureLeaf(ctx, ca, { component: "server", spec: servingSpec(options) }, issued);
  const admin = await ensureLeaf(ctx, ca, { component: "admin", spec: clientSpec({ user: ADMIN_USER, groups: [MASTERS_GROUP] }) }, issued);
  return {
    dir: ctx.dir,
    caCertPem: ca.certPem,
    server,
    admin,
    issued,
    issueClientCertificate: async (identity) => issueLeaf(ctx, ca, clientSpec(identity)),
  };
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

function servingSpec(options: PKIOptions): LeafSpec {
  const { dnsNames, ips } = servingNames(options);
  return {
    usage: "server",
    commonName: "kubelite-server",
    organizations: [],
    dnsNames,
    ips,
    validityDays: LEAF_VALIDITY_DAYS,
  };
}

function clientSpec(identity: ClientIdentity): LeafSpec {
  if (identity.user.trim() === "") throw new Error("a client certificate needs a user name");
  return {
    usage: "client",
    commonName: identity.user,
    organizations: identity.groups ?? [],
    dnsNames: [],
    ips: [],
    validityDays: identity.validityDays ?? LEAF_VALIDITY_DAYS,
  };
}

// ---- loading and checking (node:crypto only) ----

interface StoredPair {
  certPem: string | undefined;
  keyPem: string | undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function readPair(dir: string, name: string): Promise<StoredPair> {
  const [certPem, keyPem] = await Promise.all([
    readOptional(join(dir, `${name}.crt`)),
    readOptional(join(dir, `${name}.key`)),
  ]);
  return { certPem, keyPem };
}

async function loadOrCreateCA(ctx: Context, issued: PKIComponent[]): Promise<Authority> {
  const stored = await readPair(ctx.dir, "ca");
  if (stored.certPem === undefined) {
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
    if (leafIsCurrent(ctx, ca, spec, pair)) return pair;
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

// ---- issuing (@peculiar/x509 on WebCrypto) ----

async function createCA(ctx: Context): Promise<CertKeyPair> {
  const x509 = await loadX509();
  const keys = await ctx.crypto.subtle.generateKey(LEAF_KEY, true, ["sign", "verify"]);
  const now = ctx.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(ctx.crypto),
      name: [{ CN: [`kubelite-ca@${Math.floor(now.getTime() / 1000)}`] }],
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, ctx.crypto),
      ],
    },
    ctx.crypto,
  );
  return { certPem: toPem(cert), keyPem: toPkcs8Pem(keys.privateKey) };
}

async function issueLeaf(ctx: Context, ca: Authority, spec: LeafSpec): Promise<CertKeyPair> {
  const x509 = await loadX509();
  const signer = caSigner(ca.key);
  const [keys, signingKey] = await Promise.all([
    ctx.crypto.subtle.generateKey(LEAF_KEY, true, ["sign", "verify"]),
    ctx.crypto.subtle.importKey("pkcs8", ca.key.export({ type: "pkcs8", format: "der" }), signer.importParams, false, ["sign"]),
  ]);
  const caCert = new x509.X509Certificate(ca.certPem);
  const now = ctx.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(ctx.crypto),
      subject: [{ CN: [spec.commonName] }, ...spec.organizations.map((o) => ({ O: [o] }))],
      // The issuer is the CA's subject as encoded: Go matches issuer to subject byte for byte.
      issuer: caCert.subjectName,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + spec.validityDays * DAY_MS),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: signer.signParams,
      extensions: await leafExtensions(x509, ctx, spec, keys.publicKey, caCert),
    },
    ctx.crypto,
  );
  return { certPem: toPem(cert), keyPem: toPkcs8Pem(keys.privateKey) };
}

async function leafExtensions(
  x509: X509Module,
  ctx: Context,
  spec: LeafSpec,
  publicKey: CryptoKey,
  caCert: X509.X509Certificate,
): Promise<X509.Extension[]> {
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // ECDSA keys only sign: digitalSignature, no keyEncipherment.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([spec.usage === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, ctx.crypto),
    await authorityKeyIdentifier(x509, ctx, caCert),
  ];
  if (spec.dnsNames.length + spec.ips.length > 0) {
    const names = [
      ...spec.dnsNames.map((value) => ({ type: "dns" as const, value })),
      ...spec.ips.map((value) => ({ type: "ip" as const, value })),
    ];
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  return extensions;
}

/** AKI = the CA's own SKI when it has one (a user-supplied CA may compute it differently). */
async function authorityKeyIdentifier(x509: X509Module, ctx: Context, caCert: X509.X509Certificate): Promise<X509.Extension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, ctx.crypto);
}

interface Signer {
  importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  signParams: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

/** How to sign with the CA key: ours is P-256, but a CA placed in tls/ by hand may differ. */
function caSigner(key: KeyObject): Signer {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === "ec" && curve === "prime256v1") {
    return { importParams: { name: "ECDSA", namedCurve: "P-256" }, signParams: { name: "ECDSA", hash: "SHA-256" } };
  }
  if (key.asymmetricKeyType === "ec" && curve === "secp384r1") {
    return { importParams: { name: "ECDSA", namedCurve: "P-384" }, signParams: { name: "ECDSA", hash: "SHA-384" } };
  }
  if (key.asymmetricKeyType === "rsa") {
    const params = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { importParams: params, signParams: params };
  }
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? "unknown"} ${curve ?? ""}`.trim());
}

/** 16 random bytes, high bit clear and first byte non-zero: a positive, minimally encoded INTEGER. */
function randomSerial(crypto: Crypto): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return Buffer.from(bytes).toString("hex");
}

/** PEM with a final newline, so that files and concatenated bundles stay well-formed. */
function toPem(cert: X509.X509Certificate): string {
  return `${cert.toString("pem").trimEnd()}\n`;
}

function toPkcs8Pem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * @peculiar/x509 needs a Reflect metadata API (it registers its algorithms with tsyringe) and
 * documents that the application installs one: reflect-metadata, loaded only when issuing.
 */
async function loadX509(): Promise<X509Module> {
  await import("reflect-metadata");
  return import("@peculiar/x509");
}

// ---- files ----

/** Writes via a temporary file and rename, so a crash never leaves half a key or certificate. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await writeFile(tmp, data, { mode, flag: "wx" });
  await rename(tmp, path);
}

/** Key first, certificate last: a present certificate implies its key was written. */
async function writePair(dir: string, name: string, pair: CertKeyPair): Promise<void> {
  await writeFileAtomic(join(dir, `${name}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, `${name}.crt`), pair.certPem, 0o644);
}
