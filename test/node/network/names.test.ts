// Pure pieces of the pod network: CIDR arithmetic and the derived kernel object names.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostAddress, hostCount, parseCidr, formatCidr } from "../../../src/node/network/cidr.js";
import { bridgeMac, cniContainerId, hubLinkName, nodeNetnsName, podNetnsName } from "../../../src/node/network/names.js";

describe("pod network names and subnets", () => {
  it("normalises a CIDR and finds its hosts", () => {
    for (const [input, normal, first, count] of [
      ["10.42.0.0/24", "10.42.0.0/24", "10.42.0.1", 254],
      ["10.42.1.7/24", "10.42.1.0/24", "10.42.1.1", 254],
      ["10.42.9.0/30", "10.42.9.0/30", "10.42.9.1", 2],
      ["10.40.0.0/14", "10.40.0.0/14", "10.40.0.1", 262142],
    ] as const) {
      const cidr = parseCidr(input);
      assert.equal(formatCidr(cidr), normal);
      assert.equal(hostAddress(cidr, 1), first);
      assert.equal(hostCount(cidr), count);
    }
    assert.throws(() => parseCidr("10.42.0.0/31"));
    assert.throws(() => parseCidr("300.1.1.1/24"));
    assert.throws(() => hostAddress(parseCidr("10.0.0.0/30"), 3));
  });

  it("derives names that differ per data dir, node and sandbox and fit the kernel's limits", () => {
    const a = nodeNetnsName("/tmp/one", "node");
    assert.match(a, /^kl-[0-9a-f]{8}$/);
    assert.notEqual(a, nodeNetnsName("/tmp/two", "node"));
    assert.notEqual(a, nodeNetnsName("/tmp/one", "other"));
    assert.notEqual(podNetnsName(a, "s1"), podNetnsName(a, "s2"));
    assert.ok(hubLinkName(a).length <= 15);
    assert.match(bridgeMac(a), /^02(:[0-9a-f]{2}){5}$/);
  });

  it("keeps CNI-safe sandbox ids and hashes the rest", () => {
    assert.equal(cniContainerId("abc-123_x.y"), "abc-123_x.y");
    assert.match(cniContainerId("default/web-0"), /^sb-[0-9a-f]{8}$/);
    assert.match(cniContainerId("-leading"), /^sb-/);
  });
});
