// An incremental update leaves the kernel's table exactly as loading the new whole table does:
// both are loaded into scratch network namespaces with the real nft and listed side by side.
// Needs root and nft (skips otherwise).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { hairpinPair, renderService, renderTable, TABLE, type RenderedService } from "../../src/proxy/nft-ruleset.js";
import { renderUpdate } from "../../src/proxy/nft-update.js";
import { serviceRules } from "../../src/proxy/service-rules.js";

const hasNft = (() => {
  try {
    execFileSync("nft", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();
const skip = process.getuid?.() !== 0 ? "needs root (network namespaces)" : hasNft ? undefined : "needs nft";

const service = (name: string, ip: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { namespace: "default", name },
  spec: { clusterIPs: [ip], ports: [{ name: "http", port: 80, protocol: "TCP" }], ...spec },
});
const slice = (...ips: string[]): KubeObject => ({ addressType: "IPv4", ports: [{ name: "http", port: 8080, protocol: "TCP" }], endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: "n" })) });
const affinity = { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } };
const nodePort = (port: number) => ({ type: "NodePort", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: port }] });

function rendered(svc: KubeObject, ...ips: string[]): RenderedService {
  return renderService(serviceRules(svc, ips.length > 0 ? [slice(...ips)] : [], "n"));
}

describe("incremental nftables updates", { skip }, () => {
  const namespaces: string[] = [];
  const netns = () => {
    const name = `kltest-${randomBytes(4).toString("hex")}`;
    execFileSync("ip", ["netns", "add", name]);
    namespaces.push(name);
    return name;
  };
  const load = (ns: string, script: string) => execFileSync("nsenter", [`--net=/var/run/netns/${ns}`, "nft", "-f", "-"], { input: script });
  const list = (ns: string) => execFileSync("nsenter", [`--net=/var/run/netns/${ns}`, "nft", "list", "table", "ip", TABLE]).toString();
  after(() => {
    for (const ns of namespaces) execFileSync("ip", ["netns", "delete", ns]);
  });

  it("adds, changes and removes Services' rules as a whole reload would", () => {
    const a = service("a", "10.43.1.1");
    const b = service("b", "10.43.1.2", { ...affinity });
    const c = service("c", "10.43.1.3", nodePort(30001));
    const d = service("d", "10.43.1.4", nodePort(30002));
    const before = new Map([
      ["a", rendered(a, "10.42.0.2", "10.42.0.3")],
      ["b", rendered(b, "10.42.0.4", "10.42.0.5")],
      ["c", rendered(c, "10.42.0.6")],
    ]);
    const next = new Map([
      ["a", rendered(a, "10.42.0.3", "10.42.0.9")], // an endpoint replaced
      ["b", rendered(b, "10.42.0.4")], // affinity endpoint gone
      ["c", rendered(c)], // no endpoints: rejected
      ["d", rendered(d, "10.42.0.2")], // new
    ]);
    const hairpinOf = (parts: Map<string, RenderedService>) => new Set([...parts.values()].flatMap((p) => p.endpointIPs.map(hairpinPair)));
    const oldPairs = hairpinOf(before);
    const newPairs = hairpinOf(next);
    const script = renderUpdate(
      [...new Set([...before.keys(), ...next.keys()])].map((k) => ({ before: before.get(k), after: next.get(k) })),
      { added: [...newPairs].filter((p) => !oldPairs.has(p)), removed: [...oldPairs].filter((p) => !newPairs.has(p)) },
    );
    const updated = netns();
    load(updated, renderTable(before.values()));
    load(updated, script);
    const direct = netns();
    load(direct, renderTable(next.values()));
    assert.equal(normalise(list(updated)), normalise(list(direct)));
  });
});

/** nft lists set elements and chains in kernel order; compare them as sorted lines. */
function normalise(listing: string): string {
  return listing
    .split(/[\n,]/)
    .map((line) => line.trim().replace(/^elements = \{ /, "").replace(/ \}$/, ""))
    .filter((line) => line !== "")
    .sort()
    .join("\n");
}
