// The HTTPS listener's certificate choice by SNI name: an exact TLS host before a wildcard before
// an entry without hosts, the default certificate otherwise or when the Secret is missing or
// unusable, and a changed Secret served from its new resourceVersion on.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { Indexer } from "../../src/client/indexer.js";
import { IngressCertificates } from "../../src/ingress/certificates.js";

let dir: string;
const pems = new Map<string, { cert: string; key: string }>();

async function selfSigned(name: string): Promise<{ cert: string; key: string }> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await promisify(execFile)("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-keyout", keyPath, "-out", certPath, "-subj", `/CN=${name}`]);
  return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
}

function tlsSecret(name: string, pem: { cert: string; key: string }, resourceVersion = "1"): KubeObject {
  return {
    metadata: { name, namespace: "default", resourceVersion },
    type: "kubernetes.io/tls",
    data: { "tls.crt": Buffer.from(pem.cert).toString("base64"), "tls.key": Buffer.from(pem.key).toString("base64") },
  } as KubeObject;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubelite-ingress-certs-"));
  for (const name of ["exact", "wildcard", "catch-all", "default", "renewed"]) pems.set(name, await selfSigned(name));
});
after(() => rm(dir, { recursive: true, force: true }));

test("SNI names pick the exact host's Secret, then the wildcard's, then an entry without hosts, else the default", () => {
  const secrets = new Indexer();
  for (const name of ["exact", "wildcard", "catch-all"]) secrets.upsert(`default/${name}`, tlsSecret(name, pems.get(name)!));
  secrets.upsert("default/broken", { metadata: { name: "broken", namespace: "default", resourceVersion: "1" }, data: { "tls.crt": "bm90IGEgY2VydA==", "tls.key": "bm8=" } } as KubeObject);
  const fallback = createSecureContext({ cert: pems.get("default")!.cert, key: pems.get("default")!.key });
  const certificates = new IngressCertificates(secrets, fallback);
  certificates.setIngresses([
    {
      metadata: { name: "site", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { tls: [{ hosts: ["*.example.com"], secretName: "wildcard" }, { hosts: ["www.example.com"], secretName: "exact" }, { hosts: ["broken.example.org"], secretName: "broken" }, { hosts: ["gone.example.org"], secretName: "gone" }] },
    },
    { metadata: { name: "any", namespace: "default", creationTimestamp: "2026-01-02T00:00:00Z" }, spec: { tls: [{ secretName: "catch-all" }] } },
  ]);
  const exact = certificates.contextFor("www.example.com");
  const wildcard = certificates.contextFor("shop.example.com");
  const catchAll = certificates.contextFor("elsewhere.org");
  assert.equal(certificates.contextFor("WWW.example.com"), exact);
  assert.notEqual(exact, wildcard);
  assert.notEqual(wildcard, catchAll);
  assert.notEqual(catchAll, fallback);
  assert.equal(certificates.contextFor("a.shop.example.com"), catchAll, "a wildcard covers one label only");
  assert.equal(certificates.contextFor("broken.example.org"), catchAll, "an unusable Secret is skipped");
  assert.match(certificates.problem("default/broken") ?? "", /^TLS secret "default\/broken" holds no usable certificate and key: /);
  assert.equal(certificates.problem("default/gone"), 'TLS secret "default/gone" not found (or not of type kubernetes.io/tls)');
  assert.equal(certificates.problem("default/exact"), undefined);

  certificates.setIngresses([]);
  assert.equal(certificates.contextFor("www.example.com"), fallback);
  assert.equal(certificates.contextFor(undefined), fallback);
});

test("a Secret's new resourceVersion is served from the next handshake", () => {
  const secrets = new Indexer();
  secrets.upsert("default/site", tlsSecret("site", pems.get("exact")!, "1"));
  const certificates = new IngressCertificates(secrets, createSecureContext({ cert: pems.get("default")!.cert, key: pems.get("default")!.key }));
  certificates.setIngresses([{ metadata: { name: "site", namespace: "default" }, spec: { tls: [{ hosts: ["www.example.com"], secretName: "site" }] } }]);
  const first = certificates.contextFor("www.example.com");
  assert.equal(certificates.contextFor("www.example.com"), first, "built once per resourceVersion");
  secrets.upsert("default/site", tlsSecret("site", pems.get("renewed")!, "2"));
  assert.notEqual(certificates.contextFor("www.example.com"), first);
});
