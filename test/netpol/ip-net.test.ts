// CIDR parsing and containment for ipBlocks, both families.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIPv4Net, isStrictSubnet, netContains, parseIPNet } from "../../src/netpol/ip-net.js";

describe("ip networks", () => {
  it("parses CIDRs and clears host bits", () => {
    assert.equal(formatIPv4Net(parseIPNet("10.1.2.3/8")!), "10.0.0.0/8");
    for (const bad of ["10.0.0.0/33", "10.0.0.0", "10.0.0/8", "10.0.0.0/8/1", "x/8", "2001:db8::/129"]) assert.equal(parseIPNet(bad), undefined, bad);
  });

  it("contains addresses of its own family only", () => {
    const net = parseIPNet("192.168.0.0/16")!;
    assert.ok(netContains(net, "192.168.255.1"));
    assert.ok(!netContains(net, "192.169.0.1"));
    assert.ok(!netContains(net, "::ffff:192.168.0.1"));
    assert.ok(netContains(parseIPNet("2001:db8::/32")!, "2001:db8:1::5"));
    assert.ok(!netContains(parseIPNet("2001:db8::/32")!, "2001:db9::5"));
    assert.ok(netContains(parseIPNet("0.0.0.0/0")!, "8.8.8.8"));
  });

  it("a strict subnet lies inside and is smaller", () => {
    const outer = parseIPNet("10.0.0.0/16")!;
    assert.ok(isStrictSubnet(parseIPNet("10.0.3.0/24")!, outer));
    assert.ok(!isStrictSubnet(parseIPNet("10.0.0.0/16")!, outer));
    assert.ok(!isStrictSubnet(parseIPNet("10.1.0.0/24")!, outer));
    assert.ok(!isStrictSubnet(parseIPNet("2001:db8::/64")!, outer));
  });
});
