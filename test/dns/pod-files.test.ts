// The resolv.conf and hosts file the process runtime writes for a sandbox and mounts into its
// containers: the hosts file as the kubelet's managed one, none for hostNetwork pods.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { podFileMounts, writePodFiles } from "../../src/node/runtime/process/pod-files.js";
import type { SandboxConfig } from "../../src/node/runtime/runtime.js";

const config: SandboxConfig = {
  podUid: "u1",
  podName: "web-0",
  podNamespace: "default",
  attempt: 0,
  hostname: "web-0",
  hostNetwork: false,
  dns: { nameservers: ["10.43.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], options: ["ndots:5"] },
  hosts: { fqdn: "web-0.web.default.svc.cluster.local", aliases: [{ ip: "192.0.2.7", hostnames: ["db", "db.example"] }] },
  portMappings: [],
  logDirectory: "/tmp/logs",
  labels: {},
};

describe("pod resolver and hosts files", () => {
  it("writes resolv.conf and a kubelet-style hosts file, and mounts them over /etc", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kubelite-pod-files-"));
    try {
      const files = writePodFiles(dir, config, ["10.42.0.7"]);
      assert.equal(await readFile(files.resolvConfPath!, "utf8"), "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n");
      const hosts = await readFile(files.hostsPath!, "utf8");
      assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
      assert.match(hosts, /^10\.42\.0\.7\tweb-0\.web\.default\.svc\.cluster\.local\tweb-0$/m);
      assert.match(hosts, /# Entries added by HostAliases\.\n192\.0\.2\.7\tdb\tdb\.example\n$/);
      assert.deepEqual(podFileMounts(files).map((m) => m.containerPath), ["/etc/hosts", "/etc/resolv.conf"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves a hostNetwork pod the host's hosts file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kubelite-pod-files-"));
    try {
      const files = writePodFiles(dir, { ...config, hostNetwork: true }, ["127.0.0.1"]);
      assert.equal(files.hostsPath, undefined);
      assert.deepEqual(podFileMounts(files).map((m) => m.containerPath), ["/etc/resolv.conf"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
