// X.509 v3 certificates (RFC 5280) put together and signed with node:crypto alone: the names,
// validity, public key and the extensions kubelite's certificates carry, signed by the CA's key
// (ECDSA P-256 or P-384, or RSA). Issuing this way rather than with @peculiar/x509 keeps that
// library (about 70 ms to import, and slow to build with) off the first start (ADR 0021).
import { createHash, sign, type KeyObject } from "node:crypto";
import { isIPv4 } from "node:net";
import { childrenOf, oidOf, readDer, TAG } from "./der.js";
import { bitString, boolean, explicit, implicit, nullValue, objectIdentifier, octetString, sequence, set, time, unsignedInteger, utf8String } from "./der-writer.js";

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extendedKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  sha256WithRsa: "1.2.840.113549.1.1.11",
} as const;

/** KeyUsage bits (RFC 5280 §4.2.1.3), numbered from the first byte's high bit. */
const KEY_USAGE_BITS = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;
export type ExtendedKeyUsage = "serverAuth" | "clientAuth";

export interface CertificateFields {
  /** A positive serial number, big-endian. */
  serial: Uint8Array;
  /** The issuer's Name as its certificate encodes it: Go matches issuer to subject byte for byte. */
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Buffer;
  /** Each an Extension, in order (see `extension`). */
  extensions: readonly Buffer[];
}

/** A Name of a common name and one RDN per organization, in that order (as kube-apiserver reads CN and O). */
export function distinguishedName(commonName: string, organizations: readonly string[]): Buffer {
  const rdn = (type: string, value: string) => set(sequence(objectIdentifier(type), utf8String(value)));
  return sequence(rdn(OID.commonName, commonName), ...organizations.map((o) => rdn(OID.organization, o)));
}

/** The certificate, signed with `issuerKey`, as PEM. */
export function signCertificate(fields: CertificateFields, issuerKey: KeyObject): string {
  const { hash, algorithm } = signatureAlgorithm(issuerKey);
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(fields.serial),
    algorithm,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.publicKey,
    explicit(3, sequence(...fields.extensions)),
  );
  // ECDSA signatures come DER-encoded (r, s), RSA ones PKCS #1 v1.5: what X.509 wants of each.
  const der = sequence(tbs, algorithm, bitString(sign(hash, tbs, issuerKey)));
  const base64 = der.toString("base64").replace(/.{64}/g, "$&\n").trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function signatureAlgorithm(key: KeyObject): { hash: string; algorithm: Buffer } {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === "ec" && curve === "prime256v1") return { hash: "sha256", algorithm: sequence(objectIdentifier(OID.ecdsaWithSha256)) };
  if (key.asymmetricKeyType === "ec" && curve === "secp384r1") return { hash: "sha384", algorithm: sequence(objectIdentifier(OID.ecdsaWithSha384)) };
  if (key.asymmetricKeyType === "rsa") return { hash: "sha256", algorithm: sequence(objectIdentifier(OID.sha256WithRsa), nullValue()) };
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? "unknown"} ${curve ?? ""}`.trim());
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** basicConstraints, critical; cA only for the CA (no path length limit). */
export function basicConstraints(ca: boolean): Buffer {
  return extension(OID.basicConstraints, true, ca ? sequence(boolean(true)) : sequence());
}

/** keyUsage, critical: a named-bit BIT STRING without trailing zero bits. */
export function keyUsage(usages: readonly KeyUsage[]): Buffer {
  const bits = usages.map((u) => KEY_USAGE_BITS[u]);
  const bytes = Buffer.alloc(Math.floor(Math.max(...bits) / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return extension(OID.keyUsage, true, bitString(bytes, unused));
}

export function extendedKeyUsage(usages: readonly ExtendedKeyUsage[]): Buffer {
  return extension(OID.extendedKeyUsage, false, sequence(...usages.map((u) => objectIdentifier(OID[u]))));
}

export function subjectKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyId));
}

export function authorityKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId)));
}

export function subjectAltName(dnsNames: readonly string[], ips: readonly string[]): Buffer {
  return extension(OID.subjectAltName, false, sequence(...dnsNames.map((name) => implicit(2, Buffer.from(name, "ascii"))), ...ips.map((ip) => implicit(7, ipBytes(ip)))));
}

/** RFC 5280 §4.2.1.2 method 1: the SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = childrenOf(readDer(spki));
  if (subjectPublicKey?.tag !== TAG.BIT_STRING) throw new Error("asn1: malformed SubjectPublicKeyInfo");
  return createHash("sha1").update(subjectPublicKey.content.subarray(1)).digest();
}

/** What a leaf takes from its issuer's certificate: the subject as encoded, and its key identifier if it has one. */
export function issuerIdentity(certDer: Buffer): { subject: Buffer; keyIdentifier?: Buffer } {
  const [tbs] = childrenOf(readDer(certDer));
  if (tbs?.tag !== TAG.SEQUENCE) throw new Error("asn1: malformed certificate");
  const fields = childrenOf(tbs);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version, absent in v1 certificates
  const subject = fields[first + 4];
  if (subject?.tag !== TAG.SEQUENCE) throw new Error("asn1: malformed certificate subject");
  const extensions = fields.find((f) => f.tag === 0xa3);
  for (const ext of extensions ? childrenOf(childrenOf(extensions)[0]!) : []) {
    const parts = childrenOf(ext);
    if (parts[0] && oidOf(parts[0]) === OID.subjectKeyIdentifier) {
      return { subject: subject.der, keyIdentifier: readDer(parts[parts.length - 1]!.content).content };
    }
  }
  return { subject: subject.der };
}

/** An IP address as a SAN's iPAddress holds it: 4 or 16 bytes. */
function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  // 16-bit groups on each side of "::"; a dotted IPv4 tail (::ffff:1.2.3.4) is two groups.
  const groups = (part: string): number[] =>
    part === "" ? [] : part.split(":").flatMap((g) => {
      if (!g.includes(".")) return [parseInt(g, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = g.split(".").map(Number);
      return [a * 256 + b, c * 256 + d];
    });
  const [head = "", tail] = ip.split("::");
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? before : [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(group, i * 2));
  return bytes;
}
