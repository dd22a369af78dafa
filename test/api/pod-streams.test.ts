// kubectl logs, exec and port-forward through the API server to a node agent's streaming server,
// with the machine's real kubectl: the API checks the pod first (upstream's messages), then
// proxies to the agent named by the Node's kubelite.io/agent-endpoint annotation.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { createLogger } from "../../src/log.js";
import { formatCriLine } from "../../src/node/logs/cri-log.js";
import { NodeStreamServer } from "../../src/node/server/node-server.js";
import { FakeStreamsSource } from "../node/streams/child-process-runtime.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ADMIN = { name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] };

describe("pod streams through the API server with stock kubectl", () => {
  let server: TestServer;
  let agent: NodeStreamServer;
  let source: FakeStreamsSource;
  let client: Client;
  let echo: Server;
  let echoPort: number;
  const agentLog: string[] = [];

  before(async () => {
    server = await startTestServer({ datastore: "memory" });
    client = server.client(ADMIN, "test");
    const tlsDir = join(server.dataDir, "tls");
    const [keyPem, certPem, caPem] = await Promise.all(["server.key", "server.crt", "ca.crt"].map((f) => readFile(join(tlsDir, f), "utf8")));
    source = new FakeStreamsSource();
    const log = createLogger("debug", (line) => void agentLog.push(line));
    agent = new NodeStreamServer({ source, tls: { keyPem: keyPem!, certPem: certPem!, caPem: caPem! }, logPollIntervalMs: 10, log });
    const agentPort = await agent.listen();
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as { port: number }).port;

    const logPath = join(server.dataDir, "web-app.log");
    await writeFile(logPath, ["first line", "second line", "third line"].map((l, i) => formatCriLine(`2025-01-01T00:00:0${i}Z`, "stdout", l)).join(""));
    source.add({ namespace: "default", pod: "web", name: "app", id: "c-app", logPath, running: true });
    source.add({ namespace: "default", pod: "web", name: "sidecar", id: "c-side", logPath, running: true });

    await client.create(CORE_V1("nodes"), undefined, node("node-a", { "kubelite.io/agent-endpoint": `https://127.0.0.1:${agentPort}` }));
    await client.create(CORE_V1("nodes"), undefined, node("sim-1", { "kubelite.io/simulated": "true" }));
    await runningPod("web", "node-a", ["app", "sidecar"], { "kubectl.kubernetes.io/default-container": "app" });
    await runningPod("two", "node-a", ["a", "b"]);
    await runningPod("far", "sim-1", ["app"]);
  });
  after(async () => {
    await agent.close();
    echo.close();
    await server.close();
  });

  function node(name: string, annotations: Record<string, string>) {
    return { apiVersion: "v1", kind: "Node", metadata: { name, annotations } };
  }

  async function runningPod(name: string, nodeName: string, containers: string[], annotations: Record<string, string> = {}): Promise<void> {
    await client.create(CORE_V1("pods"), "default", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, annotations },
      spec: { nodeName, containers: containers.map((c) => ({ name: c, image: "busybox" })) },
    });
    const status = {
      phase: "Running",
      containerStatuses: containers.map((c) => ({ name: c, ready: true, restartCount: 0, image: "busybox", imageID: "", state: { running: { startedAt: "2025-01-01T00:00:00Z" } } })),
    };
    await client.patch(CORE_V1("pods"), "default", name, "merge", { status }, { subresource: "status" });
  }

  it("shows logs of the default container, with tail and timestamps", async () => {
    const all = await server.kubectl(["logs", "web"]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, "first line\nsecond line\nthird line\n");
    const tail = await server.kubectl(["logs", "web", "-c", "app", "--tail=1", "--timestamps"]);
    assert.equal(tail.stdout, "2025-01-01T00:00:02Z third line\n");
  });

  it("refuses logs without a container name when the pod has several, and unknown containers", async () => {
    // kubectl picks a container itself; the API's own answer shows through --raw.
    const choose = await server.kubectl(["get", "--raw", "/api/v1/namespaces/default/pods/two/log"]);
    assert.match(choose.stderr, /a container name must be specified for pod two, choose one of: \[a b\]/);
    const unknown = await server.kubectl(["logs", "web", "-c", "nope"]);
    assert.match(unknown.stderr, /container nope is not valid for pod web/);
    const previous = await server.kubectl(["logs", "web", "--previous"]);
    assert.match(previous.stderr, /previous terminated container "app" in pod "web" not found/);
  });

  it("says plainly that a simulated node has no agent", async () => {
    const result = await server.kubectl(["logs", "far"], { timeoutMs: 15_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /node "sim-1" is simulated/);
  });

  it("execs a command and returns its output and exit code", async () => {
    const ok = await server.kubectl(["exec", "web", "--", "sh", "-c", "echo out; echo err >&2"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "out\n");
    assert.match(ok.stderr, /err/);
    const failed = await server.kubectl(["exec", "web", "--", "sh", "-c", "exit 7"]);
    assert.equal(failed.code, 7);
    assert.match(failed.stderr, /command terminated with exit code 7/);
  });

  it("pipes stdin into exec -i", async () => {
    const result = await server.kubectl(["exec", "-i", "web", "--", "tr", "a-z", "A-Z"], { input: "shout this\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "SHOUT THIS\n");
  });

  it("attaches to the container's own stdin and stdout", async () => {
    const result = await server.kubectl(["attach", "-i", "web", "-c", "app"], { input: "to the main process\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "to the main process\n");
  });

  for (const [transport, websockets, seen] of [["SPDY tunnelled in a WebSocket", "true", "websocket"], ["plain SPDY", "false", "spdy"]] as const) {
    it(`forwards a local port to the pod's port over ${transport}`, async () => {
      agentLog.length = 0;
      const forward = await startPortForward(server, ["port-forward", "pod/web", `:${echoPort}`], { KUBECTL_PORT_FORWARD_WEBSOCKETS: websockets });
      try {
        assert.equal(await roundTrip(forward.localPort, "through kubectl port-forward"), "through kubectl port-forward");
        assert.equal(await roundTrip(forward.localPort, "a second connection"), "a second connection");
        assert.ok(agentLog.some((l) => l.includes(`"transport":"${seen}"`)), `the agent saw a ${seen} session: ${agentLog.join("")}`);
      } finally {
        forward.child.kill("SIGTERM");
      }
      // The client went away: the agent closes its connections into the pod.
      const open = () => new Promise<number>((resolve, reject) => echo.getConnections((err, n) => (err ? reject(err) : resolve(n))));
      await waitFor(async () => (await open()) === 0, "the forwarded connections to close");
    });
  }

  it("follows a log until the container exits", async () => {
    const logPath = join(server.dataDir, "job.log");
    await writeFile(logPath, formatCriLine("2025-01-01T00:00:00Z", "stdout", "started"));
    const container = { namespace: "default", pod: "job", name: "work", id: "c-job", logPath, running: true };
    source.add(container);
    await runningPod("job", "node-a", ["work"]);
    const following = server.kubectl(["logs", "-f", "job"]);
    // The agent's follower asks whether the container still runs each time it reaches the end of the file.
    const polls = () => source.runtime.statusQueries.get("c-job") ?? 0;
    await waitFor(() => polls() > 0, "the follower to reach the end of the log");
    await appendFile(logPath, formatCriLine("2025-01-01T00:00:01Z", "stdout", "working", true) + formatCriLine("2025-01-01T00:00:01Z", "stdout", " hard"));
    const seen = polls();
    await waitFor(() => polls() > seen + 1, "the follower to read on");
    await appendFile(logPath, formatCriLine("2025-01-01T00:00:02Z", "stderr", "done"));
    container.running = false;
    const result = await following;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "started\nworking hard\ndone\n");
  });

  it("copies a file into the pod with kubectl cp (tar over exec)", async () => {
    const local = join(server.dataDir, "upload.txt");
    const target = await mkdtemp(join(tmpdir(), "kubelite-cp-"));
    try {
      await writeFile(local, "copied content\n");
      const result = await server.kubectl(["cp", local, `web:${target}/upload.txt`]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(await readFile(join(target, "upload.txt"), "utf8"), "copied content\n");
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });

  it("lists the stream subresources in discovery", async () => {
    const result = await server.kubectl(["get", "--raw", "/api/v1"]);
    const names = (JSON.parse(result.stdout) as { resources: { name: string }[] }).resources.map((r) => r.name);
    for (const sub of ["pods/log", "pods/exec", "pods/attach", "pods/portforward"]) assert.ok(names.includes(sub), sub);
  });

  it("reports a pod that is not running before forwarding", async () => {
    await client.create(CORE_V1("pods"), "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "pending" }, spec: { containers: [{ name: "app", image: "busybox" }] } });
    const logs = await server.kubectl(["get", "--raw", "/api/v1/namespaces/default/pods/pending/log"]);
    assert.match(logs.stderr, /pod pending does not have a host assigned/);
  });
});

async function startPortForward(server: TestServer, args: string[], extraEnv: Record<string, string>): Promise<{ child: ChildProcess; localPort: number }> {
  const env = { ...process.env, KUBECONFIG: server.kubeconfigPath, KUBECACHEDIR: join(server.dataDir, "kubectl-cache"), ...extraEnv };
  const child = spawn("kubectl", args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const localPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", () => reject(new Error(`port-forward exited: ${output}`)));
  });
  return { child, localPort };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function roundTrip(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    socket.on("connect", () => socket.write(message));
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (received.length >= message.length) {
        socket.end();
        resolve(received);
      }
    });
    socket.on("error", reject);
    setTimeout(() => reject(new Error(`no echo; got ${JSON.stringify(received)}`)), 15_000).unref();
  });
}
