// A listener port that cannot be opened is a warning naming the flag to change, not a failed
// start: the other listener still serves.
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createLogger } from "../../src/log.js";
import { loadOrCreatePKI } from "../../src/auth/pki.js";
import { Indexer } from "../../src/client/indexer.js";
import { ServiceBackends } from "../../src/ingress/backends.js";
import { IngressCertificates } from "../../src/ingress/certificates.js";
import { openListeners } from "../../src/ingress/listeners.js";
import { IngressProxy } from "../../src/ingress/proxy.js";
import { ServedIngresses } from "../../src/ingress/served-ingresses.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";

test("a port in use leaves that listener closed with a warning; the other serves", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-ingress-listeners-"));
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const lines: string[] = [];
  const log = createLogger("warn", (line) => void lines.push(line));
  try {
    const pki = await loadOrCreatePKI({ dataDir: dir, hostnames: [], ips: [] });
    const certificate = await pki.issueServingCertificate({ dnsNames: ["localhost"], ips: ["127.0.0.1"] });
    const empty = new Indexer();
    const certificates = new IngressCertificates(empty, createSecureContext({ key: certificate.keyPem, cert: certificate.certPem }));
    const served = new ServedIngresses(empty, empty, certificates);
    const proxy = new IngressProxy({ routes: () => served.routes(), backends: new ServiceBackends(empty, empty), dial: () => Promise.reject(new Error("no pods")), log });
    const takenPort = (taken.address() as AddressInfo).port;
    const listeners = await openListeners({ bindAddress: "127.0.0.1", httpPort: 0, httpsPort: takenPort, proxy, served, defaultCertificate: certificate, log });
    try {
      assert.equal(listeners.httpsPort, undefined);
      assert.ok(listeners.httpPort! > 0);
      assert.match(lines.join(""), new RegExp(`the ingress cannot listen for HTTPS on 127\\.0\\.0\\.1:${takenPort} \\(EADDRINUSE\\); pass --ingress-https-port to choose another port`));
      const status = await new Promise<number>((resolve, reject) => request({ host: "127.0.0.1", port: listeners.httpPort, headers: { host: "a.example.com" } }, (res) => resolve(res.resume().statusCode ?? 0)).on("error", reject).end());
      assert.equal(status, 404);
    } finally {
      await listeners.close();
    }
  } finally {
    taken.close();
    await rm(dir, { recursive: true, force: true });
  }
});
