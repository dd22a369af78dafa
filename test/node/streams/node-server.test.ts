// The node's streaming server end to end over TLS: container logs, exec over the WebSocket channel
// protocol (exit codes, stdin), port-forward over plain SPDY to a real TCP echo server, and the
// client-certificate requirement.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { loadOrCreatePKI, type PKI } from "../../../src/auth/pki.js";
import { formatCriLine } from "../../../src/node/logs/cri-log.js";
import { encodeChannelMessage, encodeCloseSignal } from "../../../src/node/streaming/channel-protocol.js";
import { NodeStreamServer } from "../../../src/node/server/node-server.js";
import { FakeStreamsSource } from "./child-process-runtime.js";
import { SpdyTestClient } from "./spdy-test-client.js";

interface ExecResult {
  stdout: string;
  stderr: string;
  status: { status: string; reason?: string; details?: { causes?: { reason: string; message: string }[] } };
  protocol: string;
}

describe("the node streaming server", () => {
  let dir: string;
  let pki: PKI;
  let source: FakeStreamsSource;
  let server: NodeStreamServer;
  let port: number;
  let echo: Server;
  let echoPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-node-streams-"));
    pki = await loadOrCreatePKI({ dataDir: dir });
    source = new FakeStreamsSource();
    const logPath = join(dir, "web-0.log");
    await writeFile(logPath, formatCriLine("2025-01-01T00:00:00Z", "stdout", "hello from the log"));
    source.add({ namespace: "default", pod: "web", name: "app", id: "c1", logPath, running: true });
    server = new NodeStreamServer({ source, tls: { keyPem: pki.server.keyPem, certPem: pki.server.certPem, caPem: pki.caCertPem }, logPollIntervalMs: 10 });
    port = await server.listen();
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as { port: number }).port;
  });
  after(async () => {
    await server.close();
    echo.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tls = () => ({ ca: pki.caCertPem, cert: pki.kubeletClient.certPem, key: pki.kubeletClient.keyPem });

  function get(path: string, withCert = true): Promise<{ code: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, ...(withCert ? tls() : { ca: pki.caCertPem }) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  function exec(query: string, stdin?: string, protocol = "v5.channel.k8s.io"): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/exec/default/web/app?${query}`, [protocol], tls());
      const out = { stdout: "", stderr: "", status: "" };
      ws.on("open", () => {
        if (stdin === undefined) return;
        ws.send(encodeChannelMessage(0, stdin));
        ws.send(encodeCloseSignal(0));
      });
      ws.on("message", (data: Buffer) => {
        const text = data.subarray(1).toString();
        if (data[0] === 1) out.stdout += text;
        if (data[0] === 2) out.stderr += text;
        if (data[0] === 3) out.status += text;
      });
      ws.on("close", () => resolve({ stdout: out.stdout, stderr: out.stderr, status: JSON.parse(out.status), protocol: ws.protocol }));
      ws.on("error", reject);
    });
  }

  it("answers /healthz without a client certificate", async () => {
    assert.deepEqual(await get("/healthz", false), { code: 200, body: "ok" });
  });

  it("refuses other paths without a client certificate", async () => {
    assert.equal((await get("/containerLogs/default/web/app", false)).code, 401);
  });

  it("serves container logs and says which pod or container is unknown", async () => {
    assert.deepEqual(await get("/containerLogs/default/web/app?timestamps=true"), { code: 200, body: "2025-01-01T00:00:00Z hello from the log\n" });
    const missing = await get("/containerLogs/default/web/nope");
    assert.equal(missing.code, 400);
    assert.match(missing.body, /container nope is not valid for pod web/);
    const previous = await get("/containerLogs/default/web/app?previous=true");
    assert.match(previous.body, /previous terminated container \\"app\\" in pod \\"web\\" not found/);
  });

  it("runs a command over v5.channel.k8s.io and reports exit code 0 as Success", async () => {
    const result = await exec("command=sh&command=-c&command=echo out; echo err >%262&stdout=true&stderr=true");
    assert.equal(result.protocol, "v5.channel.k8s.io");
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
    assert.equal(result.status.status, "Success");
  });

  it("reports a non-zero exit code as NonZeroExitCode with the code as its cause, over v4", async () => {
    const result = await exec("command=sh&command=-c&command=exit 3&stdout=true&stderr=true", undefined, "v4.channel.k8s.io");
    assert.equal(result.protocol, "v4.channel.k8s.io");
    assert.equal(result.status.reason, "NonZeroExitCode");
    assert.deepEqual(result.status.details?.causes, [{ reason: "ExitCode", message: "3" }]);
  });

  it("pipes stdin to the command until the client closes it", async () => {
    const result = await exec("command=cat&stdin=true&stdout=true&stderr=true", "piped through cat");
    assert.equal(result.stdout, "piped through cat");
    assert.equal(result.status.status, "Success");
  });

  it("forwards a port over SPDY/3.1 to a TCP server, and reports a refused port on the error stream", async () => {
    const client = await SpdyTestClient.connect(port, "/portForward/default/web", { caPem: pki.caCertPem, certPem: pki.kubeletClient.certPem, keyPem: pki.kubeletClient.keyPem });
    try {
      const ok = await client.openPair(echoPort, 0);
      client.write(ok.data, Buffer.from("ping over spdy"), true);
      await client.waitFor(() => client.received.get(ok.data)!.fin && client.received.get(ok.error)!.fin, "the echo and both FINs");
      assert.equal(client.text(ok.data), "ping over spdy");
      assert.equal(client.text(ok.error), "");

      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const deadPort = (closed.address() as { port: number }).port;
      closed.close();
      const refused = await client.openPair(deadPort, 1);
      await client.waitFor(() => client.received.get(refused.error)!.fin, "the error stream's FIN");
      assert.match(client.text(refused.error), new RegExp(`error forwarding port ${deadPort} to pod web, uid uid-web: .*ECONNREFUSED`));
    } finally {
      client.close();
    }
  });
});
