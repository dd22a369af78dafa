// The kubelite command line as users run it: `node bin/kubelite.js ...` in a child process.
// --help exits 0 and lists the flags DESIGN.md §3 promises; usage errors exit 2 with the usage.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file runs as dist/test/cli/cli.test.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(ROOT, "bin", "kubelite.js"), ...args], { cwd: ROOT });
}

function kubelite(...args: string[]): Promise<RunResult> {
  return finished(start(args));
}

function finished(child: ChildProcessWithoutNullStreams): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const SERVER_FLAGS = [
  "--disable-ingress",
  "--ingress-http-port",
  "--ingress-https-port",
  "--ingress-bind-address",
  "--data-dir",
  "--bind-address",
  "--port",
  "--datastore",
  "--etcd-endpoints",
  "--write-kubeconfig",
  "--node-name",
  "--runtime",
  "--disable-agent",
  "--agents",
  "--simulated-nodes",
  "--image-map",
  "--tls-san",
  "--service-cidr",
  "--cluster-cidr",
  "--cluster-dns",
  "--cluster-domain",
  "--log-level",
  "--v",
  "--pod-security-default",
];

describe("kubelite CLI", () => {
  it("prints the commands on --help and exits 0", async () => {
    const result = await kubelite("--help");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Usage: kubelite/);
    assert.match(result.stdout, /server/);
  });

  it("prints every server flag on server --help and exits 0", async () => {
    const result = await kubelite("server", "--help");
    assert.equal(result.code, 0, result.stderr);
    for (const flag of SERVER_FLAGS) assert.match(result.stdout, new RegExp(`${flag}\\b`), flag);
  });

  it("prints the agent's flags on agent --help and exits 0", async () => {
    const result = await kubelite("agent", "--help");
    assert.equal(result.code, 0, result.stderr);
    for (const flag of ["--server", "--token", "--node-name", "--data-dir", "--node-ip", "--image-map", "--runtime", "--log-level"]) assert.match(result.stdout, new RegExp(`${flag}\\b`), flag);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ["a port that is not a number", ["server", "--port", "abc"], /--port/],
    ["a port out of range", ["server", "--port", "70000"], /--port/],
    ["an unknown flag", ["server", "--bogus"], /unknown option '--bogus'/],
    ["a datastore that does not exist", ["server", "--datastore", "mysql"], /--datastore/],
    ["a malformed CIDR", ["server", "--service-cidr", "10.43.0.0/33"], /--service-cidr/],
    ["an etcd datastore without endpoints", ["server", "--datastore", "etcd"], /--etcd-endpoints/],
    ["overlapping service and cluster CIDRs", ["server", "--service-cidr", "10.42.1.0/24"], /overlaps/],
    ["a cluster DNS address that is not an IP", ["server", "--cluster-dns", "dns.local"], /--cluster-dns/],
    ["a cluster domain that is not a domain", ["server", "--cluster-domain", "Cluster_Local"], /--cluster-domain.*not a valid DNS domain/],
    ["an unknown pod security level", ["server", "--pod-security-default", "enforce=strict"], /--pod-security-default.*the level must be one of privileged, baseline, restricted/],
    ["an ingress port that is not a number", ["server", "--ingress-http-port", "http"], /--ingress-http-port/],
    ["the same ingress port for HTTP and HTTPS", ["server", "--ingress-http-port", "9000", "--ingress-https-port", "9000"], /--ingress-http-port and --ingress-https-port are both 9000: they must differ/],
    ["an ingress bind address that is not an IP", ["server", "--ingress-bind-address", "localhost"], /--ingress-bind-address/],
    ["an unknown command", ["serve"], /unknown command/],
    ["an agent without --server", ["agent", "--token", "t"], /required option '--server <url>'/],
    ["an agent server that is not https", ["agent", "--server", "http://127.0.0.1:6443", "--token", "t"], /--server .* must be an https URL/],
    ["an agent with an unknown flag", ["agent", "--server", "https://127.0.0.1:6443", "--token", "t", "--bogus"], /unknown option '--bogus'/],
    ["an agent node IP that is not an IP", ["agent", "--server", "https://127.0.0.1:6443", "--token", "t", "--node-ip", "here"], /--node-ip/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with the usage on stderr for ${what}`, async () => {
      const result = await kubelite(...args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: kubelite/);
    });
  }

  it("starts the server, prints where the kubeconfig is, and exits 0 on SIGTERM", async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), "kubelite-cli-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const child = start(["server", "--port", "0", "--datastore", "memory", "--disable-agent", "--data-dir", dataDir]);
    const result = finished(child);
    const ready = await firstLine(child, /ready/, 20_000);
    assert.match(ready, new RegExp(`kubeconfig: ${join(dataDir, "kubeconfig.yaml")}`));
    child.kill("SIGTERM");
    assert.equal((await result).code, 0, (await result).stderr);
  });
});

/** The first stdout line matching `pattern`; rejects when the process exits first or on the deadline. */
function firstLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let stderr = "";
    const timer = setTimeout(() => fail(`no line matching ${pattern} within ${deadlineMs} ms`), deadlineMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${why}; stdout: ${seen}; stderr: ${stderr}`));
    };
    const onExit = (code: number | null): void => fail(`kubelite exited with ${String(code)}`);
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const line = seen.split("\n").find((l) => pattern.test(l));
      if (line === undefined) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve(line);
    });
    child.once("exit", onExit);
  });
}
