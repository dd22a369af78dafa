// `kubelite agent` joining a running server as its own process, as on another host: the join
// token bootstraps client and serving certificates through CertificateSigningRequests, the node
// becomes Ready, runs a pod, and serves kubectl logs and exec through the API server. SIGTERM
// stops it cleanly; the test then removes every process and network namespace its agent made.
// Running pods needs root (pod network namespaces); refusing a bad token does not.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdir, readFile, readlink, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { nodeNetnsName } from "../../src/node/network/names.js";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, cgroups)" : support.ok ? undefined : support.reason;
const run = promisify(execFile);

interface Agent {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function startAgent(args: string[]): Agent {
  const child = spawn(process.execPath, [join(ROOT, "bin", "kubelite.js"), "agent", "--log-level", "warn", ...args], { cwd: ROOT });
  const agent: Agent = { child, stdout: "", stderr: "", exited: new Promise((resolve) => child.on("close", (code) => resolve(code))) };
  child.stdout.on("data", (chunk: Buffer) => (agent.stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (agent.stderr += chunk.toString("utf8")));
  return agent;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes whose working directory lies under `dir` (the pods' containers run in the agent's data dir). */
async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
  }
  return pids;
}

async function namespacesStartingWith(prefix: string): Promise<string[]> {
  const names = await readdir("/var/run/netns").catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(prefix));
}

describe("kubelite agent joins a server", () => {
  let server: TestServer;
  let token: string;
  let scratch: string;

  before(async () => {
    server = await startTestServer({ datastore: "memory", agent: false });
    token = (await readFile(join(server.dataDir, "token"), "utf8")).trim();
    scratch = await mkdtemp(join(tmpdir(), "kubelite-join-"));
  });
  after(async () => {
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("exits 1 when the server refuses the token", async () => {
    const wrong = token.replace(/::server:.*$/, "::server:0123456789abcdef0123456789abcdef");
    const agent = startAgent(["--server", server.url, "--token", wrong, "--data-dir", join(scratch, "wrong-secret"), "--node-name", "intruder"]);
    assert.equal(await agent.exited, 1, agent.stderr);
    assert.match(agent.stderr, /kubelite agent: the server refused the join token \(401 Unauthorized\): check --token/);
  });

  it("exits 1 when the server's CA does not match the token's hash", async () => {
    const wrong = `K10${"0".repeat(64)}${token.slice(token.indexOf("::"))}`;
    const agent = startAgent(["--server", server.url, "--token", wrong, "--data-dir", join(scratch, "wrong-ca"), "--node-name", "intruder"]);
    assert.equal(await agent.exited, 1, agent.stderr);
    assert.match(agent.stderr, /does not present the cluster CA the join token names/);
  });

  it("exits 2 with the usage when --token is missing", async () => {
    const agent = startAgent(["--server", server.url]);
    assert.equal(await agent.exited, 2);
    assert.match(agent.stderr, /required option '--token <token>' not specified[\s\S]*Usage: kubelite agent/);
  });

  describe("as a node running pods", { skip }, () => {
    let agent: Agent | undefined;
    let dataDir: string;
    const kubectl = (args: string[]) => server.kubectlOk(args, { timeoutMs: 90_000 });

    before(async () => {
      dataDir = join(scratch, "remote-1");
      agent = startAgent(["--server", server.url, "--token", token, "--data-dir", dataDir, "--node-name", "remote-1", "--remove-pods-on-exit"]);
    });
    after(async () => {
      // Whatever happened above, nothing this agent started outlives the test.
      if (agent && agent.child.exitCode === null) {
        agent.child.kill("SIGKILL");
        await agent.exited;
      }
      for (const pid of await processesUnder(dataDir)) process.kill(pid, "SIGKILL");
      for (const name of await namespacesStartingWith(nodeNetnsName(join(dataDir, "node"), "remote-1"))) await run("ip", ["netns", "delete", name]).catch(() => undefined);
    });

    it("registers with certificates from approved CSRs and becomes Ready", async () => {
      await until(() => (agent!.stdout.includes("node remote-1 is registered") ? true : agent!.child.exitCode !== null ? Promise.reject(new Error(agent!.stderr)) : undefined), "the agent's registered line");
      await kubectl(["wait", "--for=condition=Ready", "node/remote-1", "--timeout=60s"]);
      const csrs = await kubectl(["get", "csr"]);
      assert.match(csrs, /kubernetes.io\/kube-apiserver-client-kubelet\s+kubelite:bootstrap:node\s+<none>\s+Approved,Issued/);
      assert.match(csrs, /kubernetes.io\/kubelet-serving\s+system:node:remote-1\s+<none>\s+Approved,Issued/);
      assert.match(await kubectl(["get", "node", "remote-1", "-o", "jsonpath={.metadata.annotations.kubelite\\.io/agent-endpoint}"]), /^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("runs a pod whose logs and exec go through the agent", async () => {
      await kubectl(["run", "web", "--image=kubelite/echo-server"]);
      await kubectl(["wait", "--for=condition=Ready", "pod/web", "--timeout=60s"]);
      assert.equal((await kubectl(["get", "pod", "web", "-o", "jsonpath={.spec.nodeName}"])), "remote-1");
      const logs = await until(async () => {
        const out = await kubectl(["logs", "web"]);
        return out.includes("echo-server listening") ? out : undefined;
      }, "the pod's log line");
      assert.match(logs, /echo-server listening/);
      assert.equal((await kubectl(["exec", "web", "--", "sh", "-c", "echo $HOSTNAME"])).trim(), "web");
    });

    it("stops cleanly on SIGTERM, leaving no pod process or network namespace behind", async () => {
      assert.ok((await processesUnder(dataDir)).length > 0, "the pod runs under the agent's data dir");
      agent!.child.kill("SIGTERM");
      assert.equal(await agent!.exited, 0, agent!.stderr);
      assert.deepEqual(await processesUnder(dataDir), []);
      assert.deepEqual(await namespacesStartingWith(nodeNetnsName(join(dataDir, "node"), "remote-1")), []);
    });
  });
});
