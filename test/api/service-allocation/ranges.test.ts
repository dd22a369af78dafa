// The numbered ranges Services draw from: static and dynamic blocks, upstream's messages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterIPRange, parseServiceCIDR } from "../../../src/api/service-allocation/cluster-ip-range.js";
import { nodePortRange } from "../../../src/api/service-allocation/node-port-range.js";
import { RangeBitmap, staticBlockSize } from "../../../src/api/service-allocation/range-bitmap.js";

describe("service ranges", () => {
  it("sizes the static block as upstream's calculateRangeOffset", () => {
    assert.equal(staticBlockSize(65534, 16, 256), 256);
    assert.equal(staticBlockSize(254, 16, 256), 16);
    assert.equal(staticBlockSize(14, 16, 256), 0);
    assert.equal(staticBlockSize(2768, 32, 128), 86);
  });

  it("hands out the dynamic block first, then the static one, never a reserved offset", () => {
    const bitmap = new RangeBitmap(20, 16, new Set([10]), () => 0);
    const picked = Array.from({ length: 19 }, () => bitmap.takeNext());
    assert.deepEqual(picked.slice(0, 4), [16, 17, 18, 19]);
    assert.deepEqual(picked.slice(4), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15]);
    assert.equal(bitmap.takeNext(), undefined);
    assert.equal(bitmap.take(10), true, "a reserved offset can still be asked for");
  });

  it("gives cluster IPs from the range, never the DNS address, with upstream's refusals", () => {
    const range = parseServiceCIDR("10.43.0.0/16");
    const ips = clusterIPRange(range, { neverDynamic: ["10.43.0.10"], random: () => 0 });
    assert.equal(ips.allocateNext(), "10.43.1.1");
    assert.equal(ips.allocate("10.43.0.1"), undefined);
    assert.equal(ips.allocate("10.43.0.1"), "provided IP is already allocated");
    assert.equal(ips.allocate("10.44.0.1"), "provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16");
    assert.equal(ips.allocate("10.43.0.0"), "provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16");
    assert.equal(ips.allocate("10.43.255.255"), "provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16");
    ips.release("10.43.0.1");
    assert.equal(ips.has("10.43.0.1"), false);
  });

  it("refuses node ports outside 30000-32767 or taken", () => {
    const ports = nodePortRange({ random: () => 0 });
    assert.equal(ports.allocateNext(), 30086);
    assert.equal(ports.allocate(30500), undefined);
    assert.equal(ports.allocate(30500), "provided port is already allocated");
    assert.equal(ports.allocate(8080), "provided port is not in the valid range. The range of valid ports is 30000-32767");
  });

  it("reads the service CIDR's network whatever host bits it is given", () => {
    assert.equal(parseServiceCIDR("10.43.7.9/16").cidr, "10.43.0.0/16");
    assert.throws(() => parseServiceCIDR("fd00::/108"));
  });
});
