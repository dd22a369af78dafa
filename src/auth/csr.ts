// PKCS#10 certificate signing requests as the CertificateSigningRequest API needs them: the PEM
// block, the subject (CN and O), the requested subject alternative names, the public key, and the
// check that the request was signed with that key. Synchronous (node:crypto and der.ts), so that
// API validation can use it.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { childrenOf, expectTag, oidOf, readDer, stringOf, TAG, type DerNode } from "./der.js";

export interface CertificateRequestInfo {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** SubjectPublicKeyInfo, DER. */
  publicKeyDer: Buffer;
  publicKey: KeyObject;
  /** Verifies the request's self-signature; throws with the reason when it does not hold. */
  checkSignature(): void;
}

const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";
const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const OID_SUBJECT_ALT_NAME = "2.5.29.17";

/** Signature algorithms Go's x509 accepts on a CSR, by OID: the digest node:crypto verifies with. */
const SIGNATURE_DIGESTS: Record<string, { name: string; digest: string | null }> = {
  "1.2.840.10045.4.3.2": { name: "ECDSA-SHA256", digest: "sha256" },
  "1.2.840.10045.4.3.3": { name: "ECDSA-SHA384", digest: "sha384" },
  "1.2.840.10045.4.3.4": { name: "ECDSA-SHA512", digest: "sha512" },
  "1.2.840.113549.1.1.11": { name: "SHA256-RSA", digest: "sha256" },
  "1.2.840.113549.1.1.12": { name: "SHA384-RSA", digest: "sha384" },
  "1.2.840.113549.1.1.13": { name: "SHA512-RSA", digest: "sha512" },
  "1.3.101.112": { name: "Ed25519", digest: null },
};

/** The first PEM block's type and DER bytes, or undefined when there is none. */
export function decodePem(text: string): { type: string; der: Buffer } | undefined {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { type: match[1], der: Buffer.from(match[2].replace(/\s+/g, ""), "base64") };
}

/** Parses a PEM CERTIFICATE REQUEST; the error messages are upstream's where it has one. */
export function parseCertificateRequest(pem: string): CertificateRequestInfo {
  const block = decodePem(pem);
  if (block?.type !== "CERTIFICATE REQUEST") throw new Error("PEM block type must be CERTIFICATE REQUEST");
  try {
    return parseDer(block.der);
  } catch (err) {
    throw new Error(`x509: malformed certificate request (${(err as Error).message})`);
  }
}

function parseDer(der: Buffer): CertificateRequestInfo {
  const [info, algorithm, signature] = childrenOf(expectTag(readDer(der), TAG.SEQUENCE, "certificate request"));
  const [version, subject, spki, attributes] = childrenOf(expectTag(info, TAG.SEQUENCE, "certificate request info"));
  expectTag(version, TAG.INTEGER, "version");
  const names = subjectNames(expectTag(subject, TAG.SEQUENCE, "subject"));
  const publicKeyDer = expectTag(spki, TAG.SEQUENCE, "public key").der;
  const alternatives = attributes ? requestedAltNames(attributes) : emptyAltNames();
  const algorithmOid = oidOf(childrenOf(expectTag(algorithm, TAG.SEQUENCE, "signature algorithm"))[0]!);
  const signatureBits = expectTag(signature, TAG.BIT_STRING, "signature").content;
  const publicKey = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const signedBytes = info!.der;
  return {
    ...names,
    ...alternatives,
    publicKeyDer,
    publicKey,
    checkSignature() {
      const algo = SIGNATURE_DIGESTS[algorithmOid];
      if (!algo) throw new Error(`x509: cannot verify signature: algorithm unimplemented (${algorithmOid})`);
      // The BIT STRING's first byte counts unused bits: always 0 for a signature.
      const ok = verify(algo.digest, signedBytes, publicKey, signatureBits.subarray(1));
      if (!ok) throw new Error(`x509: ${algo.name} verification failure`);
    },
  };
}

function subjectNames(subject: DerNode): { commonName: string; organizations: string[] } {
  let commonName = "";
  const organizations: string[] = [];
  for (const rdn of childrenOf(subject)) {
    for (const attribute of childrenOf(expectTag(rdn, TAG.SET, "relative distinguished name"))) {
      const [type, value] = childrenOf(expectTag(attribute, TAG.SEQUENCE, "attribute"));
      const oid = oidOf(type!);
      if (oid === OID_COMMON_NAME) commonName = stringOf(value!);
      else if (oid === OID_ORGANIZATION) organizations.push(stringOf(value!));
    }
  }
  return { commonName, organizations };
}

type AltNames = Pick<CertificateRequestInfo, "dnsNames" | "ipAddresses" | "emailAddresses" | "uris">;

function emptyAltNames(): AltNames {
  return { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
}

/** The subjectAltName extension inside the extensionRequest attribute ([0] IMPLICIT SET OF Attribute). */
function requestedAltNames(attributes: DerNode): AltNames {
  const names = emptyAltNames();
  if (attributes.tag !== 0xa0) throw new Error("asn1: malformed attributes");
  for (const attribute of childrenOf(attributes)) {
    const [type, values] = childrenOf(expectTag(attribute, TAG.SEQUENCE, "attribute"));
    if (oidOf(type!) !== OID_EXTENSION_REQUEST) continue;
    for (const extensions of childrenOf(expectTag(values, TAG.SET, "attribute values"))) {
      for (const extension of childrenOf(expectTag(extensions, TAG.SEQUENCE, "extensions"))) {
        const parts = childrenOf(expectTag(extension, TAG.SEQUENCE, "extension"));
        if (oidOf(parts[0]!) !== OID_SUBJECT_ALT_NAME) continue;
        const value = expectTag(parts.at(-1), TAG.OCTET_STRING, "extension value");
        addGeneralNames(names, readDer(value.content));
      }
    }
  }
  return names;
}

function addGeneralNames(names: AltNames, generalNames: DerNode): void {
  for (const name of childrenOf(expectTag(generalNames, TAG.SEQUENCE, "subject alternative names"))) {
    const text = name.content.toString("ascii");
    if (name.tag === 0x81) names.emailAddresses.push(text);
    else if (name.tag === 0x82) names.dnsNames.push(text);
    else if (name.tag === 0x86) names.uris.push(text);
    else if (name.tag === 0x87) names.ipAddresses.push(ipText(name.content));
  }
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) throw new Error("asn1: malformed IP address");
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  // The URL parser writes IPv6 in its canonical, compressed form.
  return new URL(`http://[${groups.join(":")}]`).hostname.slice(1, -1);
}
