// The nftables compiler: which pods get chains, what each rule form compiles to, that replicas
// share one chain and peers share one set, and (with root and nft) that nft accepts the script.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { compileRuleset } from "../../src/netpol/nft-compiler.js";
import { namespace, pod, policy, snapshot } from "./fixtures.js";

const run = promisify(execFile);
const nftAvailable = process.getuid?.() === 0 && (await run("nft", ["--version"]).then(() => true, () => false));

const objects: KubeObject[] = [
  namespace("default"),
  namespace("prod", { team: "a" }),
  pod("default", "api-1", { labels: { app: "api" }, ip: "10.42.0.2", ports: [{ name: "http", containerPort: 8080 }] }),
  pod("default", "api-2", { labels: { app: "api" }, ip: "10.42.0.3", ports: [{ name: "http", containerPort: 8080 }] }),
  pod("default", "web", { labels: { app: "web" }, ip: "10.42.0.4" }),
  pod("prod", "web", { labels: { app: "web" }, ip: "10.42.1.4", node: "node-b" }),
];

function compile(policies: KubeObject[]) {
  const cluster = snapshot([...objects, ...policies]);
  return compileRuleset(cluster, cluster.allPods().filter((p) => p.nodeName === "node-a"));
}

describe("nftables compiler", () => {
  it("compiles nothing but the base chain when no policy selects a local pod", () => {
    const { script, counters } = compile([policy("prod", "p", { podSelector: {}, policyTypes: ["Ingress"] })]);
    assert.doesNotMatch(script, /jump/);
    assert.doesNotMatch(script, /ct state/, "no connection tracking while nothing is isolated");
    assert.equal(counters.size, 0);
  });

  it("replicas share one chain; peer pods on every node share one set", () => {
    const { script, counters } = compile([policy("default", "api-allow", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 8080 }] }] })]);
    assert.match(script, /elements = \{ 10\.42\.0\.2 : jump i0, 10\.42\.0\.3 : jump i0 \}/);
    assert.match(script, /set s0 \{ type ipv4_addr; flags interval; auto-merge; elements = \{ 10\.42\.0\.4, 10\.42\.1\.4 \} \}/);
    assert.match(script, /ct state established,related accept\n {4}ip saddr vmap @egress\n {4}ip daddr vmap @ingress/);
    assert.match(script, /chain i0 \{\n {4}ip saddr @s0 tcp dport 8080 accept\n {4}counter name drop0 drop\n {2}\}/);
    assert.deepEqual([...counters.values()], [{ namespace: "default", policy: "api-allow", direction: "ingress" }]);
  });

  it("ipBlock with except, ranges, named ports and whole protocols", () => {
    const { script } = compile([
      policy("default", "p", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.42.0.0/16"] } }], ports: [{ port: "http" }, { port: 9000, endPort: 9100 }, { protocol: "UDP" }] }],
      }),
    ]);
    assert.match(script, /ip saddr 10\.0\.0\.0\/8 ip saddr != \{ 10\.42\.0\.0\/16 \} tcp dport \{ 8080, 9000-9100 \} accept/);
    assert.match(script, /ip saddr 10\.0\.0\.0\/8 ip saddr != \{ 10\.42\.0\.0\/16 \} meta l4proto udp accept/);
  });

  it("egress rules return so that the destination's ingress check still runs; named ports per destination", () => {
    const { script } = compile([policy("default", "e", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "api" } } }], ports: [{ port: "http" }] }, { ports: [{ port: 53, protocol: "UDP" }] }] })]);
    assert.match(script, /set s0 \{ type ipv4_addr \. inet_proto \. inet_service; elements = \{ 10\.42\.0\.2 \. tcp \. 8080, 10\.42\.0\.3 \. tcp \. 8080 \} \}/);
    assert.match(script, /chain e0 \{\n {4}ip daddr \. meta l4proto \. th dport @s0 return\n {4}udp dport 53 return\n {4}counter name drop0 drop/);
    assert.match(script, /map egress \{\n {4}type ipv4_addr : verdict\n {4}elements = \{ 10\.42\.0\.4 : jump e0 \}/);
  });

  it("a pod isolated by several policies bumps each one's counter when it drops", () => {
    const { script, counters } = compile([policy("default", "a", { podSelector: {}, policyTypes: ["Ingress"] }), policy("default", "b", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] })]);
    assert.match(script, /counter name drop0 counter name drop1 drop/);
    assert.equal(counters.size, 2);
  });

  it("nft accepts the compiled script", { skip: nftAvailable ? undefined : "needs root and nft" }, async () => {
    const { script } = compile([
      policy("default", "a", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: "192.168.0.0/16", except: ["192.168.1.0/24"] } }], ports: [{ port: "http" }, { port: 9000, endPort: 9100 }, { protocol: "SCTP" }] }] }),
      policy("default", "b", { podSelector: {}, egress: [{ to: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }, { ports: [{ port: "http" }] }] }),
    ]);
    const child = execFile("nft", ["-c", "-f", "-"]);
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin?.end(script);
    assert.equal(await done, 0, `${stderr}\n${script}`);
  });
});
