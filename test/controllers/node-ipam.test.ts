// The node IPAM controller against a real in-process server: each node without a pod CIDR gets
// its own /24 of the cluster CIDR, and blocks other nodes hold are never handed out again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const NODES = CORE_V1("nodes");

describe("node IPAM controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", controllerSettings: { clusterCIDR: "10.50.0.0/22", nodeCIDRMaskSize: 24 } }));
  });
  after(() => server.close());

  const podCIDR = async (name: string) => ((await client.get(NODES, undefined, name)).spec as { podCIDR?: string } | undefined)?.podCIDR;

  it("gives every node a distinct block, skipping blocks already held", async () => {
    await client.create(NODES, undefined, { metadata: { name: "held" }, spec: { podCIDR: "10.50.0.0/24", podCIDRs: ["10.50.0.0/24"] } });
    for (const name of ["a", "b", "c"]) await client.create(NODES, undefined, { metadata: { name } });
    const cidrs = await Promise.all(["a", "b", "c"].map((name) => waitFor(() => podCIDR(name), `a pod CIDR for node ${name}`)));
    assert.deepEqual([...cidrs].sort(), ["10.50.1.0/24", "10.50.2.0/24", "10.50.3.0/24"]);
    const node = await client.get(NODES, undefined, "a");
    assert.deepEqual((node.spec as { podCIDRs?: string[] }).podCIDRs, [(node.spec as { podCIDR: string }).podCIDR]);
  });

  it("reports a full range instead of handing out a block twice", async () => {
    await client.create(NODES, undefined, { metadata: { name: "overflow" } });
    await waitFor(async () => {
      const events = await client.list(CORE_V1("events"), { namespace: "default", fieldSelector: "involvedObject.name=overflow" });
      return events.items.some((e) => e.reason === "CIDRNotAvailable");
    }, "a CIDRNotAvailable event");
    assert.equal(await podCIDR("overflow"), undefined);
  });
});
