// The node agent with real processes, driven by the stock kubectl against a real server whose
// local agent runs pods as host processes in their own network namespaces (isolated networking
// needs root and the CNI plugins; without them these tests say so and skip). Pod addresses are
// reached only from inside pods (kubectl exec) and through kubectl port-forward on 127.0.0.1.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (pod network namespaces, cgroups)" : support.ok ? undefined : support.reason;
const NODE = process.execPath;

/** A fetch run inside a pod: prints the body, exits non-zero on failure. */
const fetchScript = (url: string) => `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => { console.log(t); }, e => { console.error(String(e.cause ?? e)); process.exit(1); })`;

describe("node agent", { skip }, () => {
  let server: TestServer;
  let dir: string;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  const jsonpath = (what: string, path: string) => kubectl(["get", what, "-o", `jsonpath=${path}`]);
  const apply = (manifest: object) => kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  const pod = (name: string, spec: object) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-agent-test-"));
    const imageMap = join(dir, "images.yaml");
    await writeFile(imageMap, 'myregistry/api-server: {image: kubelite/echo-server, env: {PORT: "8080"}}\n');
    server = await startTestServer({ agent: true, imageMap });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the article's Deployment: 3 pods Running and Ready, each answering on :8080 at its own IP", async () => {
    await kubectl(["apply", "-f", "../shared/examples/deployment.yaml"]);
    await kubectl(["rollout", "status", "deployment/api-server", "--timeout=60s"]);
    const names = (await jsonpath("pods", "{.items[*].metadata.name}")).split(" ");
    const ips = (await jsonpath("pods", "{.items[*].status.podIP}")).split(" ");
    assert.equal(names.length, 3);
    assert.equal(new Set(ips).size, 3, `distinct pod IPs: ${ips.join(" ")}`);
    for (const ip of ips) assert.match(ip, /^10\.42\.\d+\.\d+$/);
    // Output reaches the log file within the runtime's copy interval.
    await waitFor(async () => /echo-server listening on :::8080/.test(await kubectl(["logs", "deploy/api-server"])), "the server's first log line");
    const table = await kubectl(["get", "pods"]);
    assert.equal(table.match(/1\/1\s+Running/g)?.length, 3, table);
    // From inside the first pod, every pod answers on its own address with its own name.
    for (const [i, ip] of ips.entries()) {
      const body = await kubectl(["exec", names[0]!, "--", NODE, "-e", fetchScript(`http://${ip}:8080/`)]);
      assert.equal((JSON.parse(body) as { hostname: string }).hostname, names[i]);
    }
  });

  it("reports the pods' CPU and memory through the node proxy: the Summary API and resource metrics", async () => {
    const summary = JSON.parse(await kubectl(["get", "--raw", "/api/v1/nodes/kubelite-node/proxy/stats/summary"])) as {
      node: { nodeName: string; memory: { workingSetBytes: number } };
      pods: { podRef: { name: string }; containers: { name: string; memory: { workingSetBytes: number }; cpu: { usageCoreNanoSeconds: number } }[] }[];
    };
    assert.equal(summary.node.nodeName, "kubelite-node");
    assert.ok(summary.node.memory.workingSetBytes > 0);
    const apiPods = summary.pods.filter((p) => p.podRef.name.startsWith("api-server-"));
    assert.equal(apiPods.length, 3);
    for (const p of apiPods) {
      assert.ok(p.containers[0]!.memory.workingSetBytes > 1024 * 1024, "an echo server uses more than a MiB");
      assert.ok(p.containers[0]!.cpu.usageCoreNanoSeconds > 0);
    }
    const resource = await kubectl(["get", "--raw", "/api/v1/nodes/kubelite-node/proxy/metrics/resource"]);
    assert.match(resource, /^container_memory_working_set_bytes\{container="api-server",namespace="default",pod="api-server-[a-z0-9-]+"\} \d+ \d+$/m);
    const own = await kubectl(["get", "--raw", "/api/v1/nodes/kubelite-node/proxy/metrics"]);
    assert.match(own, /^kubelet_running_pods \d+$/m);
    assert.match(own, /^kubelet_pod_start_duration_seconds_count \d+$/m);
  });

  it("exec runs in the pod: its hostname, and an interactive shell on a terminal", async () => {
    const [name] = (await jsonpath("pods", "{.items[0].metadata.name}")).split(" ");
    assert.equal((await kubectl(["exec", name!, "--", "sh", "-c", "echo $HOSTNAME"])).trim(), name);
    const pty = await import("node-pty");
    const term = pty.spawn("kubectl", ["exec", "-it", name!, "--", "sh"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } as Record<string, string>, cols: 80, rows: 24 });
    let output = "";
    term.onData((data) => (output += data));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    await waitFor(async () => output.length > 0, "the shell's prompt");
    term.write("tty; echo sum=$((40+2))\r");
    await waitFor(async () => /sum=42/.test(output), "the shell's answer");
    term.write("exit 7\r");
    assert.equal(await exited, 7, output);
    assert.match(output, /\/dev\/pts\/\d+/);
  });

  it("cp copies files into a pod and back out", async () => {
    const [name] = (await jsonpath("pods", "{.items[0].metadata.name}")).split(" ");
    await writeFile(join(dir, "in.txt"), "copied in\n");
    await kubectl(["cp", join(dir, "in.txt"), `${name}:${join(dir, "inside.txt")}`]);
    assert.equal(await kubectl(["exec", name!, "--", "cat", join(dir, "inside.txt")]), "copied in\n");
    await kubectl(["cp", `${name}:${join(dir, "inside.txt")}`, join(dir, "out.txt")]);
    assert.equal(await readFile(join(dir, "out.txt"), "utf8"), "copied in\n");
  });

  it("port-forward reaches the pod from 127.0.0.1", async () => {
    const [name] = (await jsonpath("pods", "{.items[0].metadata.name}")).split(" ");
    const child = spawn("kubectl", ["port-forward", `pod/${name}`, ":8080"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          const m = /127\.0\.0\.1:(\d+)/.exec(d.toString());
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`kubectl port-forward exited ${code}`)));
      });
      const response = await fetch(`http://127.0.0.1:${port}/through-the-tunnel`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { path: string; hostname: string }).hostname, name);
    } finally {
      child.kill();
    }
  });

  it("logs, logs -f and logs --previous after a crash", async () => {
    await apply(pod("talker", { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo run $(date +%N); for i in 1 2 3; do echo line $i; sleep 0.3; done; exit 1"] }] }));
    await waitFor(async () => (await jsonpath("pod/talker", "{.status.containerStatuses[0].state.running.startedAt}")) !== "", "the container to run");
    const followed = await kubectl(["logs", "-f", "talker"]);
    assert.match(followed, /line 1\nline 2\nline 3\n/);
    await waitFor(async () => Number(await jsonpath("pod/talker", "{.status.containerStatuses[0].restartCount}")) >= 1, "a restart");
    const previous = await kubectl(["logs", "talker", "--previous"]);
    assert.match(previous, /^run \d+\nline 1\nline 2\nline 3\n$/);
    const tail = await kubectl(["logs", "talker", "--previous", "--tail=1", "--timestamps"]);
    assert.match(tail, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line 3\n$/);
    await kubectl(["delete", "pod", "talker", "--wait=true"]);
  });

  it("a failing liveness probe restarts the container with a growing back-off", async () => {
    await apply(pod("sick", { containers: [{ name: "c", image: "kubelite/echo-server", livenessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 1, failureThreshold: 1 } }] }));
    const message = await waitFor(async () => {
      const waiting = await jsonpath("pod/sick", "{.status.containerStatuses[0].state.waiting.message}");
      return /back-off 20s/.test(waiting) && waiting;
    }, "a 20 s back-off", 60_000);
    assert.match(message, /restarting failed container=c pod=sick_default/);
    const described = await kubectl(["describe", "pod", "sick"]);
    assert.match(described, /CrashLoopBackOff/);
    assert.match(described, /Liveness probe failed: dial tcp 10\.42\.\d+\.\d+:9999: connect: connection refused/);
    assert.match(described, /Container c failed liveness probe, will be restarted/);
    assert.match(described, /Back-off restarting failed container c in pod sick_default/);
    await kubectl(["delete", "pod", "sick", "--wait=true"]);
  });

  it("a container over its memory limit is OOMKilled", async () => {
    await apply(pod("hog", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["tail", "/dev/zero"], resources: { limits: { memory: "32Mi" } } }] }));
    await waitFor(async () => (await jsonpath("pod/hog", "{.status.phase}")) === "Failed", "the pod to fail");
    assert.equal(await jsonpath("pod/hog", "{.status.containerStatuses[0].state.terminated.reason}"), "OOMKilled");
    assert.equal(await jsonpath("pod/hog", "{.status.containerStatuses[0].state.terminated.exitCode}"), "137");
    assert.match(await kubectl(["get", "pod", "hog"]), /OOMKilled/);
    await kubectl(["delete", "pod", "hog", "--wait=true"]);
  });

  it("resize changes a running container's memory limit without a restart", async () => {
    const limitScript = "cat /sys/fs/cgroup/memory$(grep -E '^[0-9]+:memory:' /proc/self/cgroup | cut -d: -f3)/memory.limit_in_bytes";
    await apply(pod("elastic", { containers: [{ name: "c", image: "kubelite/pause", resources: { requests: { memory: "32Mi" }, limits: { memory: "64Mi" } } }] }));
    await kubectl(["wait", "--for=condition=Ready", "pod/elastic", "--timeout=30s"]);
    const before = await jsonpath("pod/elastic", "{.status.containerStatuses[0].containerID}");
    assert.equal((await kubectl(["exec", "elastic", "--", "sh", "-c", limitScript])).trim(), String(64 * 1024 * 1024));
    await kubectl(["patch", "pod", "elastic", "--subresource", "resize", "--patch", '{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"128Mi"}}}]}}']);
    await waitFor(async () => (await kubectl(["exec", "elastic", "--", "sh", "-c", limitScript])).trim() === String(128 * 1024 * 1024), "the new limit in the cgroup");
    assert.equal(await jsonpath("pod/elastic", "{.status.containerStatuses[0].containerID}"), before);
    assert.equal(await jsonpath("pod/elastic", "{.status.containerStatuses[0].restartCount}"), "0");
    await kubectl(["delete", "pod", "elastic", "--wait=true"]);
  });

  it("a sidecar starts, and passes its startup probe, before the main container; both keep running", async () => {
    const ready = join(dir, "sidecar-ready");
    await apply(
      pod("with-sidecar", {
        initContainers: [{ name: "shipper", image: "busybox", restartPolicy: "Always", command: ["sh", "-c", `touch ${ready}; exec sleep 3600`], startupProbe: { exec: { command: ["test", "-f", ready] }, periodSeconds: 1 } }],
        containers: [{ name: "main", image: "busybox", command: ["sh", "-c", `if test -f ${ready}; then echo sidecar-was-ready; else echo sidecar-missing; fi; exec sleep 3600`] }],
      }),
    );
    await kubectl(["wait", "--for=condition=Ready", "pod/with-sidecar", "--timeout=30s"]);
    assert.match(await kubectl(["get", "pod", "with-sidecar"]), /2\/2\s+Running/);
    await waitFor(async () => (await kubectl(["logs", "with-sidecar", "-c", "main"])) !== "", "the main container's output");
    assert.equal(await kubectl(["logs", "with-sidecar", "-c", "main"]), "sidecar-was-ready\n");
    assert.equal(await jsonpath("pod/with-sidecar", "{.status.initContainerStatuses[0].started}"), "true");
    await kubectl(["delete", "pod", "with-sidecar", "--wait=true"]);
  });

  it("mounts configMap, secret, downwardAPI and memory-backed emptyDir volumes, and refreshes a changed ConfigMap", async () => {
    const at = (name: string) => join(dir, "mounts", name);
    await kubectl(["create", "configmap", "app-config", "--from-literal=mode=fast"]);
    await kubectl(["create", "secret", "generic", "app-secret", "--from-literal=password=s3cr3t"]);
    await apply(
      pod("with-volumes", {
        volumes: [
          { name: "config", configMap: { name: "app-config" } },
          { name: "secret", secret: { secretName: "app-secret" } },
          { name: "info", downwardAPI: { items: [{ path: "name", fieldRef: { fieldPath: "metadata.name" } }] } },
          { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "8Mi" } },
        ],
        containers: [
          {
            name: "c",
            image: "busybox",
            command: ["sleep", "3600"],
            volumeMounts: [
              { name: "config", mountPath: at("config") },
              { name: "secret", mountPath: at("secret") },
              { name: "info", mountPath: at("info") },
              { name: "scratch", mountPath: at("scratch") },
            ],
          },
        ],
      }),
    );
    await kubectl(["wait", "--for=condition=Ready", "pod/with-volumes", "--timeout=30s"]);
    const inPod = (script: string) => kubectl(["exec", "with-volumes", "--", "sh", "-c", script]);
    assert.equal(await inPod(`cat ${at("config")}/mode`), "fast");
    assert.equal(await inPod(`cat ${at("secret")}/password`), "s3cr3t");
    assert.equal(await inPod(`cat ${at("info")}/name`), "with-volumes");
    assert.match(await inPod(`grep ' ${at("scratch")} ' /proc/mounts`), /^tmpfs /);
    const readOnly = await server.kubectl(["exec", "with-volumes", "--", "sh", "-c", `echo x > ${at("config")}/mode`]);
    assert.notEqual(readOnly.code, 0, "configMap volumes are read-only");
    await kubectl(["patch", "configmap", "app-config", "--type=merge", "-p", '{"data":{"mode":"slow"}}']);
    await waitFor(async () => (await inPod(`cat ${at("config")}/mode`)) === "slow", "the changed ConfigMap in the volume", 30_000);
    await kubectl(["delete", "pod", "with-volumes", "--wait=true"]);
  });

  it("runs lifecycle hooks: preStop before the container is stopped, and a failing postStart is reported", async () => {
    const marker = join(dir, "prestop-ran");
    await apply(pod("hooked", { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], lifecycle: { preStop: { exec: { command: ["sh", "-c", `echo bye > ${marker}`] } } } }] }));
    await kubectl(["wait", "--for=condition=Ready", "pod/hooked", "--timeout=30s"]);
    await kubectl(["delete", "pod", "hooked", "--wait=true"]);
    assert.equal(await readFile(marker, "utf8"), "bye\n");
    await apply(pod("bad-hook", { containers: [{ name: "c", image: "kubelite/echo-server", lifecycle: { postStart: { httpGet: { path: "/ready", port: 9 } } } }] }));
    const described = await waitFor(async () => {
      const text = await kubectl(["describe", "pod", "bad-hook"]);
      return /FailedPostStartHook/.test(text) && text;
    }, "a FailedPostStartHook event");
    assert.match(described, /HTTP lifecycle hook \(\/ready\) for Container "c" failed - error: .*connection refused/);
    await kubectl(["delete", "pod", "bad-hook", "--wait=true"]);
  });

  it("delete stops a pod gracefully: SIGTERM first, SIGKILL only when the grace period runs out", async () => {
    await apply(pod("polite", { terminationGracePeriodSeconds: 20, containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"] }] }));
    await apply(pod("stubborn", { terminationGracePeriodSeconds: 2, containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"] }] }));
    await kubectl(["wait", "--for=condition=Ready", "pod/polite", "pod/stubborn", "--timeout=30s"]);
    let t0 = Date.now();
    await kubectl(["delete", "pod", "polite", "--wait=true"]);
    assert.ok(Date.now() - t0 < 10_000, `a pod that honours SIGTERM goes at once (took ${Date.now() - t0} ms)`);
    t0 = Date.now();
    await kubectl(["delete", "pod", "stubborn", "--wait=true"]);
    const took = Date.now() - t0;
    assert.ok(took >= 1_500 && took < 15_000, `a pod ignoring SIGTERM is killed after its 2 s grace period (took ${took} ms)`);
  });
});

describe("a three-node cluster on one host (--agents 2)", { skip }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ agent: true, agents: 2 });
  });
  after(() => server?.close());

  it("spreads the article's Deployment over the three nodes, and pods reach each other across nodes", async () => {
    const kubectl = async (args: string[]) => {
      const result = await server.kubectl(args, { timeoutMs: 90_000 });
      assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
      return result.stdout;
    };
    const nodes = await kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
    assert.deepEqual(nodes.split(" ").sort(), ["kubelite-node", "kubelite-node-agent-1", "kubelite-node-agent-2"]);
    await kubectl(["create", "deployment", "web", "--image=kubelite/echo-server", "--replicas=3", "--port=8080"]);
    await kubectl(["rollout", "status", "deployment/web", "--timeout=60s"]);
    const placed = (await kubectl(["get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}"])).split(" ");
    assert.equal(new Set(placed).size, 3, `one pod per node: ${placed.join(" ")}`);
    const names = (await kubectl(["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"])).split(" ");
    const ips = (await kubectl(["get", "pods", "-o", "jsonpath={.items[*].status.podIP}"])).split(" ");
    for (const [i, ip] of ips.entries()) {
      const body = await kubectl(["exec", names[0]!, "--", NODE, "-e", fetchScript(`http://${ip}:8080/`)]);
      assert.equal((JSON.parse(body) as { hostname: string }).hostname, names[i]);
    }
  });
});
