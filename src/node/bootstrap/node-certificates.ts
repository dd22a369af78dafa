// A node's certificates through the CertificateSigningRequest API, as kubelets bootstrap TLS:
// a new key, a CSR for the given signer (kube-apiserver-client-kubelet with the join token,
// kubelet-serving as the node itself), then waiting until the CSR is signed (or denied, or failed).
// Certificates are kept in the agent's data dir (key 0600) and reused on restart while they match
// their key and the CA, name the same subject and addresses, and have more than a tenth of their
// life left.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { StatusError } from "../../api/errors.js";
import { createCertificateRequest, type CertKeyPair } from "../../auth/certificate-issuer.js";
import { readFileIfExists, writeFileAtomic } from "../../auth/credential-files.js";
import type { Client } from "../../client/client.js";
import { CSRS, type CSR } from "../../controllers/certificates/csr-objects.js";
import { JoinError } from "./server-ca.js";

const POLL_MS = 200;

export interface CertificateWish {
  /** File name stem in the data dir: client → client.crt/client.key. */
  file: string;
  signerName: string;
  usages: string[];
  commonName: string;
  organizations: string[];
  dnsNames?: string[];
  ips?: string[];
}

/** The stored certificate when still good, else a freshly signed one (then stored). */
export async function nodeCertificate(dir: string, caPem: string, client: Client, wish: CertificateWish, timeoutMs: number): Promise<CertKeyPair> {
  const stored = await readPair(dir, wish.file);
  if (stored && stillGood(stored, caPem, wish)) return stored;
  const pair = await requestCertificate(client, wish, timeoutMs);
  await writeFileAtomic(join(dir, `${wish.file}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, `${wish.file}.crt`), pair.certPem, 0o644);
  return pair;
}

async function readPair(dir: string, file: string): Promise<CertKeyPair | undefined> {
  const [certPem, keyPem] = await Promise.all([readFileIfExists(join(dir, `${file}.crt`)), readFileIfExists(join(dir, `${file}.key`))]);
  return certPem && keyPem ? { certPem, keyPem } : undefined;
}

function stillGood(pair: CertKeyPair, caPem: string, wish: CertificateWish): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const subject = [`CN=${wish.commonName}`, ...wish.organizations.map((o) => `O=${o}`)].join("\n");
    return (
      cert.checkPrivateKey(createPrivateKey(pair.keyPem)) &&
      cert.verify(new X509Certificate(caPem).publicKey) &&
      cert.subject === subject &&
      (wish.dnsNames ?? []).every((name) => cert.checkHost(name, { subject: "never" }) !== undefined) &&
      (wish.ips ?? []).every((ip) => cert.checkIP(ip) !== undefined) &&
      to - Date.now() > (to - from) / 10
    );
  } catch {
    return false;
  }
}

async function requestCertificate(client: Client, wish: CertificateWish, timeoutMs: number): Promise<CertKeyPair> {
  const { csrPem, keyPem } = await createCertificateRequest(globalThis.crypto, wish);
  let created: CSR;
  try {
    created = (await client.create(CSRS, undefined, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { generateName: "node-csr-" },
      spec: { request: Buffer.from(csrPem).toString("base64"), signerName: wish.signerName, usages: wish.usages },
    })) as CSR;
  } catch (err) {
    if (err instanceof StatusError && (err.code === 401 || err.code === 403)) throw new JoinError(`the server refused the join token (${err.code} ${err.reason}): check --token`);
    throw err;
  }
  const name = created.metadata?.name ?? "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const csr = (await client.get(CSRS, undefined, name)) as CSR;
    const certificate = csr.status?.certificate;
    if (certificate) return { certPem: Buffer.from(certificate, "base64").toString("utf8"), keyPem };
    const verdict = (csr.status?.conditions ?? []).find((c) => c.type === "Denied" || c.type === "Failed");
    if (verdict) throw new JoinError(`certificate signing request ${name} (${wish.signerName}) was ${verdict.type === "Denied" ? "denied" : "not signed"}: ${verdict.message ?? verdict.reason ?? ""}`);
    if (Date.now() > deadline) throw new JoinError(`certificate signing request ${name} (${wish.signerName}) was not approved and signed within ${timeoutMs / 1000} s: approve it with kubectl certificate approve ${name}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
