// Issuing the cluster's certificates: the self-signed CA and leaf certificates (serving and
// client) signed by it, and what each leaf must say (LeafSpec); agents' certificate requests.
//
// Certificates follow what Go's crypto/x509 checks: random positive serials, SKI/AKI, CA
// basicConstraints + keyCertSign, EKU serverAuth/clientAuth. New keys are ECDSA P-256 in PKCS#8 PEM,
// which both Node's `tls` and Go clients (kubectl) accept; a CA key placed by hand may also be P-384
// or RSA. Certificates are encoded by certificate-encoding.ts on node:crypto; @peculiar/x509 (about
// 70 ms to import) is loaded only to write a certificate request, which only `kubelite agent` does.
import { KeyObject, type X509Certificate, type webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import {
  authorityKeyIdentifier, basicConstraints, distinguishedName, extendedKeyUsage, issuerIdentity, keyIdentifier, keyUsage,
  signCertificate, subjectAltName, subjectKeyIdentifier, type KeyUsage,
} from "./certificate-encoding.js";

type X509Module = typeof X509;

export const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 365;
/** notBefore is back-dated so that clients with a slightly slow clock accept a fresh cert. */
const BACKDATE_MS = 60 * 60 * 1000;
const LEAF_KEY: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

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

/** The clock and WebCrypto an issue uses (injected, so tests control them). */
export interface IssuerContext {
  now: () => Date;
  crypto: Crypto;
}

/** The CA as loaded: PEM plus parsed forms for checking and signing. */
export interface Authority extends CertKeyPair {
  cert: X509Certificate;
  key: KeyObject;
}

/** What a leaf certificate says: its use, subject, SANs and lifetime. */
export interface LeafSpec {
  usage: "server" | "client";
  commonName: string;
  organizations: readonly string[];
  dnsNames: readonly string[];
  ips: readonly string[];
  validityDays: number;
}

/** The API server's serving certificate for the given SANs. */
export function servingSpec(names: { dnsNames: readonly string[]; ips: readonly string[] }): LeafSpec {
  return {
    usage: "server",
    commonName: "kubelite-server",
    organizations: [],
    dnsNames: names.dnsNames,
    ips: names.ips,
    validityDays: LEAF_VALIDITY_DAYS,
  };
}

export function clientSpec(identity: ClientIdentity): LeafSpec {
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

/** A self-signed CA certificate and its new key. */
export async function createCA(ctx: IssuerContext): Promise<CertKeyPair> {
  const keys = await ctx.crypto.subtle.generateKey(LEAF_KEY, true, ["sign", "verify"]);
  const publicKey = spkiOf(keys.publicKey);
  const now = ctx.now();
  const name = distinguishedName(`kubelite-ca@${Math.floor(now.getTime() / 1000)}`, []);
  const certPem = signCertificate(
    {
      serial: randomSerial(ctx.crypto),
      issuer: name,
      subject: name,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      publicKey,
      extensions: [basicConstraints(true), keyUsage(["digitalSignature", "keyCertSign", "cRLSign"]), subjectKeyIdentifier(keyIdentifier(publicKey))],
    },
    KeyObject.from(keys.privateKey),
  );
  return { certPem, keyPem: toPkcs8Pem(keys.privateKey) };
}

/** A new key and a certificate for it, signed by the CA. */
export async function issueLeaf(ctx: IssuerContext, ca: Authority, spec: LeafSpec): Promise<CertKeyPair> {
  const keys = await ctx.crypto.subtle.generateKey(LEAF_KEY, true, ["sign", "verify"]);
  const certPem = await signLeaf(ctx, ca, {
    ...spec,
    keyUsages: ["digital signature"],
    extendedUsages: [spec.usage === "server" ? "server auth" : "client auth"],
    validityMs: spec.validityDays * DAY_MS,
    publicKey: keys.publicKey,
  });
  return { certPem, keyPem: toPkcs8Pem(keys.privateKey) };
}

/** What a certificate for someone else's key says (a CertificateSigningRequest's content). */
export interface CertificateContent {
  commonName: string;
  organizations: readonly string[];
  dnsNames: readonly string[];
  ips: readonly string[];
  /** CSR usages ("digital signature", "key encipherment"), for the key usage extension. */
  keyUsages: readonly ("digital signature" | "key encipherment")[];
  /** CSR usages ("client auth", "server auth"), for the extended key usage extension. */
  extendedUsages: readonly ("client auth" | "server auth")[];
  /** How long from now it is valid; never beyond the CA's own expiry. */
  validityMs: number;
  /** The subject's public key: a WebCrypto key or SubjectPublicKeyInfo DER. */
  publicKey: CryptoKey | Buffer;
}

/** A certificate (PEM) for the given key and content, signed by the CA. */
export async function signLeaf(ctx: IssuerContext, ca: Authority, content: CertificateContent): Promise<string> {
  const now = ctx.now();
  const notAfter = Math.min(now.getTime() + content.validityMs, Date.parse(ca.cert.validTo));
  const publicKey = content.publicKey instanceof Uint8Array ? Buffer.from(content.publicKey) : spkiOf(content.publicKey);
  const issuer = issuerIdentity(ca.cert.raw);
  return signCertificate(
    {
      serial: randomSerial(ctx.crypto),
      issuer: issuer.subject,
      subject: distinguishedName(content.commonName, content.organizations),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(notAfter),
      publicKey,
      // AKI = the CA's own SKI when it has one (a user-supplied CA may compute it differently).
      extensions: leafExtensions(content, publicKey, issuer.keyIdentifier ?? keyIdentifier(ca.cert.publicKey.export({ type: "spki", format: "der" }))),
    },
    ca.key,
  );
}

/** A new ECDSA P-256 key and a PKCS#10 request for this subject and these names (agents ask for certificates with it). */
export async function createCertificateRequest(
  crypto: Crypto,
  subject: { commonName: string; organizations: readonly string[]; dnsNames?: readonly string[]; ips?: readonly string[] },
): Promise<{ csrPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(LEAF_KEY, true, ["sign", "verify"]);
  const names = [...(subject.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })), ...(subject.ips ?? []).map((value) => ({ type: "ip" as const, value }))];
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: [{ CN: [subject.commonName] }, ...subject.organizations.map((o) => ({ O: [o] }))],
      keys,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
    },
    crypto,
  );
  return { csrPem: `${request.toString("pem").trimEnd()}\n`, keyPem: toPkcs8Pem(keys.privateKey) };
}

function leafExtensions(content: CertificateContent, publicKey: Buffer, authorityKeyId: Buffer): Buffer[] {
  const usages = [...new Set(content.keyUsages.map((u): KeyUsage => (u === "key encipherment" ? "keyEncipherment" : "digitalSignature")))];
  const extensions = [
    basicConstraints(false),
    // No key usages asked for (a CSR with only "client auth"): no extension, as Go's x509 omits it;
    // an empty critical one makes OpenSSL refuse the certificate for TLS.
    ...(usages.length === 0 ? [] : [keyUsage(usages)]),
    extendedKeyUsage(content.extendedUsages.map((u) => (u === "server auth" ? "serverAuth" : "clientAuth"))),
    subjectKeyIdentifier(keyIdentifier(publicKey)),
    authorityKeyIdentifier(authorityKeyId),
  ];
  if (content.dnsNames.length + content.ips.length > 0) extensions.push(subjectAltName(content.dnsNames, content.ips));
  return extensions;
}

function spkiOf(key: CryptoKey): Buffer {
  return KeyObject.from(key).export({ type: "spki", format: "der" });
}

/** 16 random bytes, high bit clear and first byte non-zero: a positive, minimally encoded INTEGER. */
function randomSerial(crypto: Crypto): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return bytes;
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
