// Certificates encoded on node:crypto alone: what node's and OpenSSL's X.509 parsers read back from
// them, for every kind of CA key kubelite signs with, and the DER details Go's parser is strict about.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basicConstraints, distinguishedName, keyIdentifier, keyUsage, signCertificate, subjectKeyIdentifier } from "../../src/auth/certificate-encoding.js";
import { signLeaf, type Authority } from "../../src/auth/certificate-issuer.js";
import { objectIdentifier, time, unsignedInteger } from "../../src/auth/der-writer.js";

const now = new Date("2026-01-02T03:04:05.678Z");
const withOpenssl = { skip: spawnSync("openssl", ["version"]).status === 0 ? false : "openssl is not installed" };
const ctx = { now: () => now, crypto: globalThis.crypto };

/** A self-signed CA with this key; without its SKI extension when `withKeyId` is false. */
function authority(key: { privateKey: KeyObject; publicKey: KeyObject }, withKeyId = true): Authority {
  const publicKey = key.publicKey.export({ type: "spki", format: "der" });
  const name = distinguishedName("test-ca", ["test"]);
  const certPem = signCertificate(
    {
      serial: Buffer.from([1]),
      issuer: name,
      subject: name,
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date("2036-01-01T00:00:00Z"),
      publicKey,
      extensions: [basicConstraints(true), keyUsage(["digitalSignature", "keyCertSign"]), ...(withKeyId ? [subjectKeyIdentifier(keyIdentifier(publicKey))] : [])],
    },
    key.privateKey,
  );
  const keyPem = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { certPem, keyPem, cert: new X509Certificate(certPem), key: createPrivateKey(keyPem) };
}

async function leafOf(ca: Authority): Promise<X509Certificate> {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = await signLeaf(ctx, ca, {
    commonName: "jane",
    organizations: ["dev", "ops"],
    dnsNames: ["example.test"],
    ips: ["10.0.0.1", "fd00::1", "::ffff:1.2.3.4"],
    keyUsages: ["digital signature", "key encipherment"],
    extendedUsages: ["client auth"],
    validityMs: 86_400_000,
    publicKey: publicKey.export({ type: "spki", format: "der" }),
  });
  return new X509Certificate(pem);
}

/** OpenSSL's verdict on the chain, and its text form of the leaf. */
function openssl(ca: Authority, leaf: X509Certificate): string {
  const dir = mkdtempSync(join(tmpdir(), "kubelite-der-"));
  try {
    writeFileSync(join(dir, "ca.crt"), ca.certPem);
    writeFileSync(join(dir, "leaf.crt"), leaf.toString());
    const verified = execFileSync("openssl", ["verify", "-attime", String(Math.floor(now.getTime() / 1000)), "-CAfile", join(dir, "ca.crt"), join(dir, "leaf.crt")], { encoding: "utf8" });
    assert.match(verified, /leaf\.crt: OK/);
    return execFileSync("openssl", ["x509", "-in", join(dir, "leaf.crt"), "-noout", "-text"], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("certificate encoding", () => {
  const keys = {
    "ECDSA P-256": generateKeyPairSync("ec", { namedCurve: "P-256" }),
    "ECDSA P-384": generateKeyPairSync("ec", { namedCurve: "P-384" }),
    "RSA 2048": generateKeyPairSync("rsa", { modulusLength: 2048 }),
  };
  for (const [kind, key] of Object.entries(keys)) {
    it(`signs leaves with a ${kind} CA that node and OpenSSL verify`, withOpenssl, async () => {
      const ca = authority(key);
      const leaf = await leafOf(ca);
      assert.ok(ca.cert.ca);
      assert.ok(leaf.checkIssued(ca.cert));
      assert.ok(leaf.verify(ca.cert.publicKey));
      assert.equal(leaf.subject, "CN=jane\nO=dev\nO=ops");
      assert.equal(leaf.subjectAltName, "DNS:example.test, IP Address:10.0.0.1, IP Address:FD00:0:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:102:304");
      assert.deepEqual(leaf.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
      const text = openssl(ca, leaf);
      assert.match(text, /Digital Signature, Key Encipherment/);
      assert.match(text, /CA:FALSE/);
    });
  }

  it("names the CA's key in a leaf's authority key identifier, also for a CA without one", withOpenssl, async () => {
    for (const withKeyId of [true, false]) {
      const ca = authority(keys["ECDSA P-256"], withKeyId);
      const text = openssl(ca, await leafOf(ca));
      const expected = keyIdentifier(keys["ECDSA P-256"].publicKey.export({ type: "spki", format: "der" })).toString("hex").toUpperCase().match(/../g)!.join(":");
      assert.match(text, new RegExp(`Authority Key Identifier: *\\n *(keyid:)?${expected}`));
    }
  });

  it("writes DER's minimal forms", () => {
    assert.deepEqual(unsignedInteger(Buffer.from([0, 0, 0x7f])), Buffer.from([0x02, 0x01, 0x7f]));
    assert.deepEqual(unsignedInteger(Buffer.from([0x80])), Buffer.from([0x02, 0x02, 0x00, 0x80]));
    assert.deepEqual(objectIdentifier("1.2.840.10045.4.3.2"), Buffer.from("06082a8648ce3d040302", "hex"));
    assert.equal(time(now).toString("latin1", 2), "260102030405Z");
    assert.equal(time(new Date("2050-01-01T00:00:00Z")).toString("latin1", 2), "20500101000000Z");
    // keyUsage digitalSignature + keyCertSign + cRLSign: bits 0, 5, 6 → 0x86 with 1 unused bit.
    assert.ok(keyUsage(["digitalSignature", "keyCertSign", "cRLSign"]).toString("hex").endsWith("03020186"));
  });
});
