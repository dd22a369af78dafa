// The isolated pod network on one node, against the real CNI plugins: addresses, reachability
// from pods and from the agent's process, the hard rule (no routes out), idempotence, restart.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Duplex } from "node:stream";
import { DialError } from "../../../src/node/network/dialer.js";
import { IsolatedNetwork } from "../../../src/node/network/isolated-network.js";
import type { PodNetworkRequest } from "../../../src/node/network/pod-network.js";
import { greetingFrom, memoryLogger, routes, serveIn, skipReason, tempDir, timed, type PodServer } from "./netns-fixtures.js";

const skip = await skipReason();

function pod(name: string, extra: Partial<PodNetworkRequest> = {}): PodNetworkRequest {
  return { sandboxId: `sandbox-${name}`, podName: name, podNamespace: "default", podUid: `uid-${name}`, portMappings: [], ...extra };
}

function readLine(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf("\n");
      if (end >= 0) {
        stream.off("data", onData);
        resolve(text.slice(0, end));
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
  });
}

describe("isolated pod network", { skip }, () => {
  let dataDir: string;
  let removeDir: () => Promise<void>;
  let network: IsolatedNetwork;
  const servers: PodServer[] = [];

  beforeEach(async () => {
    ({ dir: dataDir, remove: removeDir } = await tempDir());
    network = new IsolatedNetwork({ dataDir, nodeName: "node-a", podCIDR: "10.42.0.0/24", log: memoryLogger() });
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) server.close();
    await network.destroy();
    await removeDir();
  });

  it("gives two pods on one node distinct addresses from the pod CIDR", async (t) => {
    const a = await timed(() => network.setUp(pod("a")));
    const b = await timed(() => network.setUp(pod("b")));
    t.diagnostic(`setUp: ${a.ms.toFixed(0)} ms, ${b.ms.toFixed(0)} ms`);
    assert.equal(network.nodeIP, "10.42.0.1");
    for (const { value } of [a, b]) {
      assert.equal(value.ips.length, 1);
      assert.match(value.ips[0]!, /^10\.42\.0\.\d+$/);
      assert.notEqual(value.ips[0], network.nodeIP);
      assert.ok(value.netnsPath && existsSync(value.netnsPath));
    }
    assert.notEqual(a.value.ips[0], b.value.ips[0]);
    assert.notEqual(a.value.netnsPath, b.value.netnsPath);
  });

  it("reaches a server in pod A from pod B and through dial() from the agent's process", async () => {
    const a = await network.setUp(pod("a"));
    const b = await network.setUp(pod("b"));
    servers.push(await serveIn(a.netnsPath!, 8080, "a"));
    assert.equal(await greetingFrom(b.netnsPath!, a.ips[0]!, 8080), "hello from a");

    const stream = await network.dial(a.ips[0]!, 8080);
    try {
      // The greeting may arrive with the helper's "ok": it must reach us, not be swallowed.
      assert.equal(await readLine(stream), "hello from a");
      stream.write("ping\n");
      assert.equal(await readLine(stream), "ping");
    } finally {
      stream.destroy();
    }
  });

  it("leaves the host namespace without routes to pods and the node namespace without a default route", async () => {
    await network.setUp(pod("a"));
    assert.doesNotMatch(await routes(), /10\.42\./);
    const nodeRoutes = await routes(network.netnsName);
    assert.match(nodeRoutes, /10\.42\.0\.0\/24 dev kl0/);
    assert.doesNotMatch(nodeRoutes, /default/);
  });

  it("tears down idempotently and releases the address for the next pod", async (t) => {
    const tiny = new IsolatedNetwork({ dataDir, nodeName: "tiny", podCIDR: "10.42.9.0/30", log: memoryLogger() });
    try {
      const a = await tiny.setUp(pod("a")); // a /30 holds the gateway and one pod
      assert.deepEqual(a.ips, ["10.42.9.2"]);
      await assert.rejects(tiny.setUp(pod("b")), /no IP addresses available|range.*full/i);
      assert.equal(await tiny.attachment("sandbox-b"), undefined, "a failed setUp leaves nothing behind");

      const down = await timed(() => tiny.tearDown("sandbox-a"));
      t.diagnostic(`tearDown: ${down.ms.toFixed(0)} ms`);
      await tiny.tearDown("sandbox-a");
      await tiny.tearDown("sandbox-never-set-up");
      assert.equal(existsSync(a.netnsPath!), false);
      assert.equal(await tiny.attachment("sandbox-a"), undefined);

      assert.deepEqual((await tiny.setUp(pod("b"))).ips, ["10.42.9.2"]);
    } finally {
      await tiny.destroy();
    }
  });

  it("frees the address of a pod whose record was lost when it is torn down", async () => {
    const tiny = new IsolatedNetwork({ dataDir, nodeName: "tiny", podCIDR: "10.42.9.0/30", log: memoryLogger() });
    try {
      const a = await tiny.setUp(pod("a"));
      await rm(path.join(dataDir, "network", "pods"), { recursive: true });
      assert.deepEqual(await tiny.sandboxes(), []);
      await tiny.tearDown("sandbox-a");
      assert.equal(existsSync(a.netnsPath!), false);
      assert.deepEqual((await tiny.setUp(pod("b"))).ips, a.ips);
    } finally {
      await tiny.destroy();
    }
  });

  it("answers setUp again for the same sandbox with the same attachment, also concurrently", async () => {
    const [first, second] = await Promise.all([network.setUp(pod("a")), network.setUp(pod("a"))]);
    assert.deepEqual(first, second);
    assert.deepEqual(await network.setUp(pod("a")), first);
    assert.deepEqual(await network.sandboxes(), ["sandbox-a"]);
  });

  it("lets a new instance on the same data dir see and tear down the attachments of the old one", async () => {
    const a = await network.setUp(pod("a"));
    await network.close();
    assert.ok(existsSync(a.netnsPath!), "close() leaves pods' namespaces alone");

    const again = new IsolatedNetwork({ dataDir, nodeName: "node-a", podCIDR: "10.42.0.0/24", log: memoryLogger() });
    assert.deepEqual(await again.attachment("sandbox-a"), a);
    assert.deepEqual(await again.sandboxes(), ["sandbox-a"]);
    await again.tearDown("sandbox-a");
    assert.equal(existsSync(a.netnsPath!), false);
    network = again; // afterEach destroys it
  });

  it("rejects a dial to a closed port with a clear error, also before any pod exists", async () => {
    await assert.rejects(network.dial(network.nodeIP, 9), /ECONNREFUSED/);
    const a = await network.setUp(pod("a"));
    await assert.rejects(network.dial(a.ips[0]!, 9), (error: unknown) => {
      assert.ok(error instanceof DialError);
      assert.equal(error.code, "ECONNREFUSED");
      assert.match(error.message, new RegExp(`dial ${a.ips[0]!.replaceAll(".", "\\.")}:9: ECONNREFUSED`));
      return true;
    });
  });

  it("maps a hostPort on the node address to the pod's port", async () => {
    const a = await network.setUp(pod("a", { portMappings: [{ containerPort: 8080, hostPort: 18080, protocol: "TCP" }] }));
    const b = await network.setUp(pod("b"));
    servers.push(await serveIn(a.netnsPath!, 8080, "a"));
    assert.equal(await greetingFrom(b.netnsPath!, network.nodeIP, 18080), "hello from a");
    const stream = await network.dial(network.nodeIP, 18080);
    assert.equal(await readLine(stream), "hello from a");
    stream.destroy();
    await network.tearDown("sandbox-a");
    await assert.rejects(greetingFrom(b.netnsPath!, network.nodeIP, 18080), /ECONNREFUSED|exited with 2/);
  });

  it("destroy() removes the node namespace, its pods' namespaces and its state", async () => {
    const a = await network.setUp(pod("a"));
    await network.destroy();
    assert.equal(existsSync(a.netnsPath!), false);
    assert.equal(existsSync(network.netnsPath), false);
    assert.deepEqual(await network.sandboxes(), []);
  });
});
