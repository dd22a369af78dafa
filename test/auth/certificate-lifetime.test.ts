// Certificates near their end, with lifetimes made short by a pinned clock: leaves close to expiry
// are re-issued at start, a CA within 30 days of expiry is reported (it cannot be renewed in place),
// `renewAll` re-issues every leaf, and the service-account signing key is kept across restarts.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DAY_MS } from "../../src/auth/certificate-issuer.js";
import { expiryWarnings } from "../../src/auth/certificate-lifetime.js";
import { loadOrCreatePKI } from "../../src/auth/pki.js";
import { loadOrCreateServiceAccountKey } from "../../src/auth/service-account-key.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-lifetime-"));
  dirs.push(dir);
  return dir;
}
after(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("certificate lifetimes", () => {
  it("reports nothing for a fresh cluster", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    assert.deepEqual(expiryWarnings(pki.expiries, new Date()), []);
  });

  it("re-issues leaves that expire soon and reports a CA within 30 days of its end", async () => {
    const dataDir = await tempDir();
    const now = Date.now();
    // Created 3,640 days ago: the CA (10 years) has ten days left, every leaf (1 year) is long expired.
    await loadOrCreatePKI({ dataDir, now: () => new Date(now - 3640 * DAY_MS) });
    const later = await loadOrCreatePKI({ dataDir });
    assert.deepEqual([...later.issued].sort(), ["admin", "kubelet-client", "server"]);
    const warnings = expiryWarnings(later.expiries, new Date(now));
    assert.equal(warnings.length, 4);
    assert.match(warnings[0]!, /^the cluster CA expires on .*: replace DATA_DIR\/tls\/ca.crt and ca.key/);
    assert.match(warnings[1]!, /^the server certificate expires on .* and cannot be renewed beyond the CA's own expiry$/);
  });

  it("re-issues every leaf when asked, keeping the CA, and refuses to create a CA when one is required", async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreatePKI({ dataDir });
    const rotated = await loadOrCreatePKI({ dataDir, renewAll: true, requireCA: true });
    assert.deepEqual([...rotated.issued].sort(), ["admin", "kubelet-client", "server"]);
    assert.equal(rotated.caCertPem, first.caCertPem);
    assert.notEqual(rotated.server.certPem, first.server.certPem);
    await assert.rejects(loadOrCreatePKI({ dataDir: await tempDir(), requireCA: true }), /there is no cluster CA/);
  });

  it("creates the service-account signing key with mode 0600 and reuses it", async () => {
    const dataDir = await tempDir();
    const key = await loadOrCreateServiceAccountKey(dataDir);
    assert.equal((await stat(join(dataDir, "tls", "service-account.key"))).mode & 0o777, 0o600);
    assert.equal((await loadOrCreateServiceAccountKey(dataDir)).keyId, key.keyId);
  });
});
