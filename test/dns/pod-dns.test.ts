// Pods' resolver configuration per dnsPolicy, as the kubelet's GetPodDNS computes it, and
// resolv.conf read and written.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseResolvConf, renderResolvConf } from "../../src/dns/resolv-conf.js";
import { podDnsConfig, type PodDnsSettings } from "../../src/node/pod-dns.js";

const host = parseResolvConf("# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54 ; second\nsearch corp.example\noptions edns0 timeout:2\n");
const settings: PodDnsSettings = { clusterDNS: ["10.43.0.10"], clusterDomain: "cluster.local", host };

describe("pod DNS configuration", () => {
  it("reads a resolv.conf's nameservers, search domains and options, and writes one back", () => {
    assert.deepEqual(host, { nameservers: ["192.0.2.53", "192.0.2.54"], searches: ["corp.example"], options: ["edns0", "timeout:2"] });
    assert.equal(renderResolvConf(host), "search corp.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 timeout:2\n");
  });

  it("gives ClusterFirst pods the cluster DNS, the namespace's search path plus the host's, and ndots:5", () => {
    assert.deepEqual(podDnsConfig({ namespace: "shop" }, settings), {
      nameservers: ["10.43.0.10"],
      searches: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"],
      options: ["ndots:5"],
    });
  });

  it("gives Default pods, and hostNetwork pods under ClusterFirst or ClusterFirstWithHostNet, the host's resolvers", () => {
    const hosts = { nameservers: host.nameservers, searches: host.searches, options: host.options };
    assert.deepEqual(podDnsConfig({ namespace: "shop", dnsPolicy: "Default" }, settings), hosts);
    assert.deepEqual(podDnsConfig({ namespace: "shop", hostNetwork: true }, settings), hosts);
    assert.deepEqual(podDnsConfig({ namespace: "shop", hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }, settings), hosts);
  });

  it("falls back to the host's resolvers when no cluster DNS is reachable (host-network nodes)", () => {
    assert.deepEqual(podDnsConfig({ namespace: "shop" }, { ...settings, clusterDNS: [] }).nameservers, host.nameservers);
  });

  it("gives None pods exactly their dnsConfig", () => {
    const config = podDnsConfig({ namespace: "shop", dnsPolicy: "None", dnsConfig: { nameservers: ["192.0.2.9"], searches: ["a.example"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }, settings);
    assert.deepEqual(config, { nameservers: ["192.0.2.9"], searches: ["a.example"], options: ["ndots:2", "edns0"] });
  });

  it("merges dnsConfig into ClusterFirst: nameservers and searches appended once, options replaced by name", () => {
    const config = podDnsConfig({ namespace: "shop", dnsConfig: { nameservers: ["10.43.0.10", "192.0.2.9"], searches: ["cluster.local", "b.example"], options: [{ name: "ndots", value: "1" }] } }, settings);
    assert.deepEqual(config.nameservers, ["10.43.0.10", "192.0.2.9"]);
    assert.deepEqual(config.searches, ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "b.example"]);
    assert.deepEqual(config.options, ["ndots:1"]);
  });
});
