// Reading kubeconfigs for kubelite's own commands: the file the server writes round-trips; file
// references resolve relative to the kubeconfig; tokens; a missing context or file says what to do.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { renderKubeconfig } from "../../src/auth/kubeconfig.js";
import { defaultKubeconfigPath, KubeconfigError, readKubeconfig } from "../../src/auth/kubeconfig-reader.js";

describe("kubeconfig reader", () => {
  it("reads the kubeconfig the server writes, files relative to it, and tokens", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubelite-kubeconfig-"));
    try {
      const written = join(dir, "kubeconfig.yaml");
      await writeFile(written, renderKubeconfig({ server: "https://127.0.0.1:6443", caPem: "CA", certPem: "CERT", keyPem: "KEY" }));
      assert.deepEqual(await readKubeconfig(written), { server: "https://127.0.0.1:6443", caPem: "CA", certPem: "CERT", keyPem: "KEY", token: undefined });

      await writeFile(join(dir, "ca.crt"), "CA2");
      await writeFile(join(dir, "token"), "abc\n");
      const other = join(dir, "other.yaml");
      await writeFile(other, [
        "apiVersion: v1", "kind: Config", "current-context: a",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', certificate-authority: ca.crt}}]",
        "users: [{name: u, user: {tokenFile: token}}, {name: v, user: {token: xyz}}]",
        "contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: v}}]",
      ].join("\n"));
      assert.equal((await readKubeconfig(other)).token, "abc");
      assert.equal((await readKubeconfig(other, "b")).token, "xyz");
      assert.equal((await readKubeconfig(other)).caPem, "CA2");
      await assert.rejects(readKubeconfig(other, "nope"), (err) => err instanceof KubeconfigError && /context "nope" not found/.test(err.message));
      await assert.rejects(readKubeconfig(join(dir, "missing.yaml")), (err) => err instanceof KubeconfigError && /give --kubeconfig/.test(err.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes names and addresses YAML would misread as quoted strings", () => {
    for (const [server, clusterName, user] of [["https://[::1]:6443", "my cluster", "a: b"], ["https://h:1", "123", "true"], ["https://h:1", "-x", "#c"]] as const) {
      const config = parse(renderKubeconfig({ server, caPem: "CA", certPem: "CERT", keyPem: "KEY", clusterName, user })) as {
        clusters: { cluster: { server: string } }[];
        users: { name: string }[];
        contexts: { context: { user: string } }[];
        "current-context": string;
      };
      assert.deepEqual([config.clusters[0]?.cluster.server, config["current-context"], config.contexts[0]?.context.user, config.users[0]?.name], [server, clusterName, user, user]);
    }
  });

  it("takes the first KUBECONFIG entry, else ./.kubelite/kubeconfig.yaml", () => {
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: "/a/k.yaml:/b/k.yaml" }), "/a/k.yaml");
    assert.match(defaultKubeconfigPath({}), /\.kubelite\/kubeconfig\.yaml$/);
  });
});
