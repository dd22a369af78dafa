// Two nodes on one host joined by the cluster network: pods reach pods on the other node with
// their own addresses, the host's namespace still has no routes, and leave/destroy undo it all.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ClusterNetwork } from "../../../src/node/network/cluster-network.js";
import { IsolatedNetwork } from "../../../src/node/network/isolated-network.js";
import { netnsPath } from "../../../src/node/network/names.js";
import { greetingFrom, memoryLogger, routes, serveIn, skipReason, tempDir, type PodServer } from "./netns-fixtures.js";

const skip = await skipReason();

function pod(name: string) {
  return { sandboxId: `sandbox-${name}`, podName: name, podNamespace: "default", podUid: `uid-${name}`, portMappings: [] };
}

describe("cluster network", { skip }, () => {
  let root: string;
  let removeDir: () => Promise<void>;
  let cluster: ClusterNetwork;
  let nodeA: IsolatedNetwork;
  let nodeB: IsolatedNetwork;
  const servers: PodServer[] = [];

  beforeEach(async () => {
    ({ dir: root, remove: removeDir } = await tempDir());
    const log = memoryLogger();
    cluster = new ClusterNetwork({ dataDir: root, log });
    nodeA = new IsolatedNetwork({ dataDir: path.join(root, "a"), nodeName: "node-a", podCIDR: "10.42.0.0/24", log });
    nodeB = new IsolatedNetwork({ dataDir: path.join(root, "b"), nodeName: "node-b", podCIDR: "10.42.1.0/24", log });
    await Promise.all([nodeA.start(), nodeB.start()]);
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) server.close();
    await cluster.destroy();
    await nodeA.destroy();
    await nodeB.destroy();
    await removeDir();
  });

  it("lets a pod on one node reach a pod on another by its own address", async () => {
    const a = await cluster.join(nodeA);
    const b = await cluster.join(nodeB);
    assert.deepEqual([a.linkIP, b.linkIP], ["10.41.0.1", "10.41.0.2"]);
    const podA = await nodeA.setUp(pod("a"));
    const podB = await nodeB.setUp(pod("b"));
    servers.push(await serveIn(podA.netnsPath!, 8080, "a"));
    assert.equal(await greetingFrom(podB.netnsPath!, podA.ips[0]!, 8080), "hello from a");
    // The agent of node B dials through its own node's namespace and is routed to node A.
    const stream = await nodeB.dial(podA.ips[0]!, 8080);
    const greeting = await new Promise<string>((resolve) => stream.once("data", (d: Buffer) => resolve(d.toString())));
    stream.destroy();
    assert.equal(greeting, "hello from a\n");
  });

  it("adds routes only between node namespaces, never in the host's, and no default route", async () => {
    await cluster.join(nodeA);
    await cluster.join(nodeB);
    assert.doesNotMatch(await routes(), /10\.4[12]\./);
    const routesA = await routes(nodeA.netnsName);
    assert.match(routesA, /10\.42\.1\.0\/24 via 10\.41\.0\.2 dev kl-hub/);
    assert.doesNotMatch(routesA, /default/);
    assert.match(await routes(nodeB.netnsName), /10\.42\.0\.0\/24 via 10\.41\.0\.1 dev kl-hub/);
  });

  it("keeps a node's link address when it joins again, and forgets it after leave", async () => {
    await cluster.join(nodeA);
    const b = await cluster.join(nodeB);
    assert.equal((await cluster.join(nodeB)).linkIP, b.linkIP);
    // A new ClusterNetwork on the same data dir (a restarted server) knows the members.
    const again = new ClusterNetwork({ dataDir: root, log: memoryLogger() });
    assert.deepEqual((await again.members()).map((m) => m.nodeName), ["node-a", "node-b"]);

    await again.leave("node-b");
    await again.leave("node-b");
    assert.doesNotMatch(await routes(nodeA.netnsName), /10\.42\.1\.0/);
    const podA = await nodeA.setUp(pod("a"));
    const podB = await nodeB.setUp(pod("b"));
    servers.push(await serveIn(podA.netnsPath!, 8080, "a"));
    await assert.rejects(greetingFrom(podB.netnsPath!, podA.ips[0]!, 8080), /EHOSTUNREACH|ENETUNREACH|timeout/);
  });

  it("removes the hub namespace on destroy", async () => {
    await cluster.join(nodeA);
    await cluster.destroy();
    assert.equal(existsSync(netnsPath(cluster.hubNetnsName)), false);
    assert.doesNotMatch(await routes(nodeA.netnsName), /kl-hub/);
  });
});
