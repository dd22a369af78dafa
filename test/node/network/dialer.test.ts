// The dial helper: started on demand inside a namespace, restarted after it dies, stopped on close.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { NamespaceDialer } from "../../../src/node/network/dialer.js";
import { IsolatedNetwork } from "../../../src/node/network/isolated-network.js";
import { memoryLogger, serveIn, skipReason, tempDir } from "./netns-fixtures.js";

const skip = await skipReason();

function exited(pid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5000;
    const poll = () => {
      if (!existsSync(`/proc/${pid}`)) return resolve();
      if (Date.now() > deadline) return reject(new Error(`process ${pid} still running`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

describe("namespace dialer", { skip }, () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  let network: IsolatedNetwork;

  before(async () => {
    ({ dir, remove: removeDir } = await tempDir());
    network = new IsolatedNetwork({ dataDir: dir, nodeName: "n", podCIDR: "10.42.0.0/24", log: memoryLogger() });
  });

  after(async () => {
    await network.destroy();
    await removeDir();
  });

  it("starts again on the next dial after its helper dies, and stops on close", async () => {
    const attachment = await network.setUp({ sandboxId: "s", podName: "p", podNamespace: "d", podUid: "u", portMappings: [] });
    const server = await serveIn(attachment.netnsPath!, 8080, "p");
    const log = memoryLogger();
    const dialer = new NamespaceDialer({ netnsName: network.netnsName, socketPath: path.join(dir, "d.sock"), log });
    try {
      (await dialer.dial(attachment.ips[0]!, 8080)).destroy();
      const first = dialer.helperPid!;
      process.kill(first, "SIGKILL");
      await exited(first);
      (await dialer.dial(attachment.ips[0]!, 8080)).destroy();
      assert.notEqual(dialer.helperPid, first);
      assert.ok(log.lines.some((l) => l.includes("dial helper exited")));
    } finally {
      const pid = dialer.helperPid;
      await dialer.close();
      if (pid) await exited(pid);
      server.close();
    }
    await assert.rejects(dialer.dial(attachment.ips[0]!, 8080), /closed/);
  });

  it("a dial made while its helper is still starting waits for it instead of restarting it", async () => {
    const attachment = await network.setUp({ sandboxId: "s2", podName: "p2", podNamespace: "d", podUid: "u2", portMappings: [] });
    const server = await serveIn(attachment.netnsPath!, 8081, "p2");
    const log = memoryLogger();
    const dialer = new NamespaceDialer({ netnsName: network.netnsName, socketPath: path.join(dir, "e.sock"), log });
    try {
      const first = dialer.dial(attachment.ips[0]!, 8081);
      while (dialer.helperPid === undefined) await new Promise((resolve) => setImmediate(resolve));
      const sockets = await Promise.all([first, dialer.dial(attachment.ips[0]!, 8081), dialer.dial(attachment.ips[0]!, 8081)]);
      for (const socket of sockets) socket.destroy();
      assert.ok(!log.lines.some((l) => l.includes("dial helper exited")), log.lines.join("\n"));
    } finally {
      const pid = dialer.helperPid;
      await dialer.close();
      if (pid) await exited(pid);
      server.close();
    }
  });
});
