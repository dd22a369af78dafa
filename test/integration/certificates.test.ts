// The certificates.k8s.io/v1 CertificateSigningRequest API with stock kubectl: create, get's
// columns, `kubectl certificate approve|deny`, signing by the cluster CA, the kubelet auto-approval
// for bootstrappers (by SubjectAccessReview), signer refusals, and upstream's 422s for invalid requests.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCertificateRequest } from "../../src/auth/certificate-issuer.js";
import { HttpClient } from "../../src/client/http.js";
import { StatusError } from "../../src/api/errors.js";
import { CSRS, type CSR } from "../../src/controllers/certificates/csr-objects.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface Subject {
  commonName: string;
  organizations: string[];
}

async function csrManifest(name: string, subject: Subject, spec: Record<string, unknown>): Promise<string> {
  const { csrPem } = await createCertificateRequest(globalThis.crypto, subject);
  return JSON.stringify({
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString("base64"), ...spec },
  });
}

describe("CertificateSigningRequests", () => {
  let server: TestServer;
  let caPem: string;

  before(async () => {
    server = await startTestServer({ datastore: "memory" });
    caPem = await readFile(join(server.dataDir, "tls", "ca.crt"), "utf8");
  });
  after(async () => server.close());

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  async function waitFor(name: string, done: (csr: CSR) => boolean): Promise<CSR> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const csr = JSON.parse(await ok(["get", "csr", name, "-o", "json"])) as CSR;
      if (done(csr)) return csr;
      if (Date.now() > deadline) throw new Error(`csr ${name} did not get there: ${JSON.stringify(csr.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("is created with kubectl apply, records the requester and prints upstream's columns", async () => {
    const manifest = await csrManifest("jane", { commonName: "jane", organizations: ["dev"] }, {
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["digital signature", "client auth"],
      expirationSeconds: 600,
      username: "mallory",
      groups: ["system:masters"],
    });
    assert.match(await ok(["apply", "-f", "-"], manifest), /certificatesigningrequest.certificates.k8s.io\/jane created/);
    const csr = JSON.parse(await ok(["get", "csr", "jane", "-o", "json"])) as CSR;
    assert.equal(csr.spec.username, "kubelite-admin");
    assert.deepEqual(csr.spec.groups, ["system:masters", "system:authenticated"]);
    const table = await ok(["get", "csr"]);
    assert.match(table, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(table, /jane\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+kubelite-admin\s+10m\s+Pending/);
  });

  it("is signed by the cluster CA once kubectl certificate approve approves it", async () => {
    assert.match(await ok(["certificate", "approve", "jane"]), /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    const csr = await waitFor("jane", (c) => Boolean(c.status?.certificate));
    const approved = csr.status?.conditions?.find((c) => c.type === "Approved");
    assert.equal(approved?.reason, "KubectlApprove");
    assert.ok(approved?.lastUpdateTime && approved.lastTransitionTime, "the server stamps the condition's times");
    const cert = new X509Certificate(Buffer.from(csr.status?.certificate ?? "", "base64"));
    assert.ok(cert.verify(new X509Certificate(caPem).publicKey), "the certificate verifies against the cluster CA");
    assert.equal(cert.subject, "CN=jane\nO=dev");
    const lifetime = Date.parse(cert.validTo) - Date.now();
    assert.ok(lifetime > 5 * 60_000 && lifetime <= 11 * 60_000, `expirationSeconds is honoured (${lifetime} ms left)`);
    assert.match(await ok(["get", "csr", "jane"]), /jane\s+.*Approved,Issued/);
  });

  it("is denied with kubectl certificate deny and then never signed", async () => {
    await ok(["apply", "-f", "-"], await csrManifest("bob", { commonName: "bob", organizations: [] }, { signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"] }));
    assert.match(await ok(["certificate", "deny", "bob"]), /denied/);
    const csr = await waitFor("bob", (c) => (c.status?.conditions ?? []).some((x) => x.type === "Denied"));
    assert.equal(csr.status?.certificate, undefined);
    assert.match(await ok(["get", "csr", "bob"]), /bob\s+.*\s+Denied\n/);
    const approve = await server.kubectl(["certificate", "approve", "bob", "--force"]);
    assert.match(approve.stderr, /already Denied/);
    const admin = server.client({ name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] }, "test");
    const both = { ...csr, status: { conditions: [...(csr.status?.conditions ?? []), { type: "Approved", status: "True", reason: "Both" }] } };
    await assert.rejects(
      admin.update(CSRS, undefined, both, { subresource: "approval" }),
      (err: unknown) => err instanceof StatusError && err.code === 422 && /Approved and Denied conditions are mutually exclusive/.test(err.message),
    );
    const removed = { ...csr, status: { conditions: [] } };
    await assert.rejects(
      admin.update(CSRS, undefined, removed, { subresource: "approval" }),
      (err: unknown) => err instanceof StatusError && err.code === 422 && /updates may not remove a condition of type "Denied"/.test(err.message),
    );
  });

  it("fails a request its signer cannot honour", async () => {
    await ok(["apply", "-f", "-"], await csrManifest("no-client-auth", { commonName: "carol", organizations: [] }, { signerName: "kubernetes.io/kube-apiserver-client", usages: ["digital signature", "server auth"] }));
    await ok(["certificate", "approve", "no-client-auth"]);
    const csr = await waitFor("no-client-auth", (c) => (c.status?.conditions ?? []).some((x) => x.type === "Failed"));
    const failed = csr.status?.conditions?.find((c) => c.type === "Failed");
    assert.equal(failed?.reason, "SignerValidationFailure");
    assert.match(failed?.message ?? "", /client auth/);
    assert.match(await ok(["get", "csr", "no-client-auth"]), /Approved,Failed/);
  });

  it("auto-approves and signs a node client certificate requested with the join token", async () => {
    const token = (await readFile(join(server.dataDir, "token"), "utf8")).trim();
    const bootstrap = new HttpClient({ server: server.url, caPem, token });
    const { csrPem } = await createCertificateRequest(globalThis.crypto, { commonName: "system:node:edge-1", organizations: ["system:nodes"] });
    try {
      const created = (await bootstrap.create(CSRS, undefined, {
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { generateName: "node-csr-" },
        spec: { request: Buffer.from(csrPem).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client-kubelet", usages: ["digital signature", "client auth"] },
      })) as CSR;
      assert.equal(created.spec.username, "kubelite:bootstrap:node");
      const csr = await waitFor(created.metadata?.name ?? "", (c) => Boolean(c.status?.certificate));
      assert.equal(csr.status?.conditions?.find((c) => c.type === "Approved")?.reason, "AutoApproved");
      assert.equal(new X509Certificate(Buffer.from(csr.status?.certificate ?? "", "base64")).subject, "CN=system:node:edge-1\nO=system:nodes");
    } finally {
      bootstrap.close();
    }
  });

  it("leaves a node client request pending when its requester may not create certificatesigningrequests/nodeclient", async () => {
    // mallory may create CSRs (system:node-bootstrapper) but is no bootstrapper: the approver's SubjectAccessReview says no.
    await ok(["create", "clusterrolebinding", "mallory-csr", "--clusterrole=system:node-bootstrapper", "--user=mallory"]);
    await ok(["create", "--as", "mallory", "-f", "-"], await csrManifest("not-a-bootstrapper", { commonName: "system:node:edge-2", organizations: ["system:nodes"] }, { signerName: "kubernetes.io/kube-apiserver-client-kubelet", usages: ["digital signature", "client auth"] }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.match(await ok(["get", "csr", "not-a-bootstrapper"]), /Pending/);
  });

  it("refuses invalid requests with upstream's 422 messages", async () => {
    const cases: { name: string; spec: Record<string, unknown>; message: RegExp }[] = [
      { name: "not-pem", spec: { request: Buffer.from("hello").toString("base64"), signerName: "example.com/x", usages: ["client auth"] }, message: /spec.request: Invalid value: PEM block type must be CERTIFICATE REQUEST/ },
      { name: "no-usages", spec: { signerName: "example.com/x" }, message: /spec.usages: Required value/ },
      { name: "bad-signer", spec: { signerName: "nodomain", usages: ["client auth"] }, message: /spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form 'example.com\/signer-name'/ },
      { name: "no-signer", spec: { usages: ["client auth"] }, message: /spec.signerName: Required value/ },
      { name: "too-short", spec: { signerName: "example.com/x", usages: ["client auth"], expirationSeconds: 60 }, message: /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds \(10 minutes\)/ },
      { name: "odd-usage", spec: { signerName: "example.com/x", usages: ["client auth", "flying"] }, message: /spec.usages\[1\]: Unsupported value: "flying"/ },
    ];
    for (const c of cases) {
      const manifest = JSON.parse(await csrManifest(c.name, { commonName: "x", organizations: [] }, {})) as { spec: Record<string, unknown> };
      manifest.spec = { ...manifest.spec, ...c.spec };
      const result = await server.kubectl(["create", "-f", "-"], { input: JSON.stringify(manifest) });
      assert.notEqual(result.code, 0, c.name);
      assert.match(result.stderr, c.message, c.name);
      assert.match(result.stderr, new RegExp(`The CertificateSigningRequest "${c.name}" is invalid`), c.name);
    }
  });

  it("refuses a request whose signature does not verify", async () => {
    const { csrPem } = await createCertificateRequest(globalThis.crypto, { commonName: "tampered", organizations: [] });
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff; // inside the signature
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    const admin = server.client({ name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] }, "test");
    await assert.rejects(
      admin.create(CSRS, undefined, { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name: "tampered" }, spec: { request: Buffer.from(pem).toString("base64"), signerName: "example.com/x", usages: ["client auth"] } }),
      (err: unknown) => err instanceof StatusError && err.code === 422 && /spec.request: Invalid value: x509: (ECDSA-SHA256 verification failure|malformed)/.test(err.message),
    );
  });

  it("keeps the spec and approval out of reach of updates and /status", async () => {
    const admin = server.client({ name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] }, "test");
    const csr = (await admin.get(CSRS, undefined, "not-a-bootstrapper")) as CSR;
    const updated = (await admin.update(CSRS, undefined, { ...csr, spec: { ...csr.spec, signerName: "example.com/other" } })) as CSR;
    assert.equal(updated.spec.signerName, "kubernetes.io/kube-apiserver-client-kubelet");
    await assert.rejects(
      admin.update(CSRS, undefined, { ...updated, status: { conditions: [{ type: "Approved", status: "True", reason: "Sneaky" }] } }, { subresource: "status" }),
      (err: unknown) => err instanceof StatusError && err.code === 422 && /updates may not add a condition of type "Approved"/.test(err.message),
    );
  });
});
