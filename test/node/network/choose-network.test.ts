// Choosing the pod network mode: host networking when asked or when isolation is impossible, with
// one warning that says why and what to install.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { choosePodNetwork, isolatedNetworkSupport } from "../../../src/node/network/choose-network.js";
import { IsolatedNetwork } from "../../../src/node/network/isolated-network.js";
import { memoryLogger, tempDir } from "./netns-fixtures.js";

describe("choosePodNetwork", () => {
  it("gives host networking without a warning when isolation is turned off", async () => {
    const log = memoryLogger();
    const network = await choosePodNetwork({ dataDir: "/nonexistent", nodeName: "n", podCIDR: "10.42.0.0/24", log, isolated: false });
    assert.equal(network.mode, "host");
    assert.deepEqual(log.lines, []);
  });

  it("falls back to host networking with one warning naming the missing plugins", async () => {
    const log = memoryLogger();
    const network = await choosePodNetwork({ dataDir: "/nonexistent", nodeName: "n", podCIDR: "10.42.0.0/24", log, cniBinDir: "/nonexistent/cni" });
    assert.equal(network.mode, "host");
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0]!, /isolated pod networking is unavailable/);
    assert.match(log.lines[0]!, /containernetworking-plugins/);
  });

  it("chooses isolated networking when root with the plugins present", async (t) => {
    const support = await isolatedNetworkSupport();
    if (!support.ok) return t.skip(support.reason);
    const { dir, remove } = await tempDir();
    const network = await choosePodNetwork({ dataDir: dir, nodeName: "n", podCIDR: "10.42.0.0/24", log: memoryLogger() });
    try {
      assert.ok(network instanceof IsolatedNetwork);
      assert.equal(network.nodeIP, "10.42.0.1");
    } finally {
      if (network instanceof IsolatedNetwork) await network.destroy();
      await remove();
    }
  });
});
