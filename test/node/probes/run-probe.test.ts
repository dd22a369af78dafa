// One probe run against real servers on 127.0.0.1: outcomes and outputs as upstream words them.
import assert from "node:assert/strict";
import type http from "node:http";
import { after, before, describe, it } from "node:test";
import { runProbe } from "../../../src/node/probes/run-probe.js";
import type { Probe } from "../../../src/node/probes/probe-spec.js";
import { closedPort, dialWrapped, grpcHealthServer, httpServer, httpsServer, target, tcpServer, type Running } from "./probe-servers.js";

describe("httpGet probe", () => {
  let server: Running;
  let seen: http.IncomingHttpHeaders = {};
  before(async () => {
    server = await httpServer((req, res) => {
      seen = req.headers;
      const url = new URL(req.url ?? "/", "http://x");
      switch (url.pathname) {
        case "/healthz":
          return res.end("ok");
        case "/error":
          res.statusCode = 500;
          return res.end("broken");
        case "/moved":
          res.writeHead(302, { location: "/healthz" });
          return res.end();
        case "/elsewhere":
          res.writeHead(302, { location: "http://10.255.0.1:9/healthz" });
          return res.end("gone away");
        case "/loop":
          res.writeHead(302, { location: "/loop" });
          return res.end();
        case "/big":
          return res.end("x".repeat(20 * 1024));
        case "/hang":
          return; // never answers
        default:
          res.statusCode = 404;
          return res.end();
      }
    });
  });
  after(() => server.close());

  const cases: { name: string; path: string; result: string; output: (port: number) => string }[] = [
    { name: "200 succeeds with the body", path: "/healthz", result: "success", output: () => "ok" },
    { name: "500 fails with the status code", path: "/error", result: "failure", output: () => "HTTP probe failed with statuscode: 500" },
    { name: "404 fails", path: "/nope", result: "failure", output: () => "HTTP probe failed with statuscode: 404" },
    { name: "a redirect on the same host is followed", path: "/moved", result: "success", output: () => "ok" },
    { name: "a redirect to another host is a warning", path: "/elsewhere", result: "warning", output: () => "Probe terminated redirects, Response body: gone away" },
    { name: "a redirect loop stops after 10", path: "/loop", result: "failure", output: (p) => `Get "http://127.0.0.1:${p}/loop": stopped after 10 redirects` },
    { name: "no answer within the timeout fails", path: "/hang", result: "failure", output: (p) => `Get "http://127.0.0.1:${p}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const outcome = await runProbe({ httpGet: { path: c.path, port: server.port }, timeoutSeconds: 1 }, target());
      assert.deepEqual(outcome, { result: c.result, output: c.output(server.port) });
    });
  }

  it("truncates the body to 10 KiB", async () => {
    const outcome = await runProbe({ httpGet: { path: "/big", port: server.port } }, target());
    assert.equal(outcome.result, "success");
    assert.equal(outcome.output.length, 10 * 1024);
  });

  it("sends kubelet's headers, the probe's own headers and its Host", async () => {
    const probe: Probe = { httpGet: { path: "/healthz", port: server.port, httpHeaders: [{ name: "x-probe", value: "yes" }, { name: "Host", value: "example.test" }] } };
    await runProbe(probe, target());
    assert.equal(seen["user-agent"], "kube-probe/1.32");
    assert.equal(seen["accept"], "*/*");
    assert.equal(seen["x-probe"], "yes");
    assert.equal(seen["host"], "example.test");
  });

  it("resolves a named container port", async () => {
    const container = { name: "app", ports: [{ name: "http", containerPort: server.port }] };
    const outcome = await runProbe({ httpGet: { path: "/healthz", port: "http" } }, target(container));
    assert.equal(outcome.result, "success");
  });

  it("is unknown when the named port does not exist", async () => {
    const outcome = await runProbe({ httpGet: { path: "/healthz", port: "metrics" } }, target());
    assert.deepEqual(outcome, { result: "unknown", output: 'strconv.Atoi: parsing "metrics": invalid syntax' });
  });

  it("works over a dialled stream that is not a socket", async () => {
    const outcome = await runProbe({ httpGet: { path: "/moved", port: server.port } }, target({ name: "app" }, dialWrapped));
    assert.deepEqual(outcome, { result: "success", output: "ok" });
  });

  it("fails with Go's words when the connection is refused", async () => {
    const port = await closedPort();
    const outcome = await runProbe({ httpGet: { path: "/healthz", port } }, target());
    assert.deepEqual(outcome, { result: "failure", output: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });
});

describe("httpGet probe over HTTPS", () => {
  it("accepts a self-signed certificate, as kubelet does", async () => {
    const server = await httpsServer((_req, res) => res.end("secure"));
    try {
      const outcome = await runProbe({ httpGet: { scheme: "HTTPS", path: "/", port: server.port } }, target());
      assert.deepEqual(outcome, { result: "success", output: "secure" });
    } finally {
      await server.close();
    }
  });
});

describe("tcpSocket probe", () => {
  it("succeeds when the port is open", async () => {
    const server = await tcpServer();
    try {
      assert.deepEqual(await runProbe({ tcpSocket: { port: server.port } }, target()), { result: "success", output: "" });
    } finally {
      await server.close();
    }
  });

  it("fails when the port is closed", async () => {
    const port = await closedPort();
    assert.deepEqual(await runProbe({ tcpSocket: { port } }, target()), { result: "failure", output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });

  it("fails with i/o timeout when the connection never opens", async () => {
    const never = { podIP: "10.42.0.5", container: { name: "app" }, dial: () => new Promise<never>(() => undefined), exec: target().exec };
    // The probe's own timers do not hold the process open (the agent has other work); this test must.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      assert.deepEqual(await runProbe({ tcpSocket: { port: 8080 }, timeoutSeconds: 1 }, never), { result: "failure", output: "dial tcp 10.42.0.5:8080: i/o timeout" });
    } finally {
      clearInterval(keepAlive);
    }
  });
});

describe("exec probe", () => {
  const cases = [
    { name: "exit 0 succeeds with the output", command: ["sh", "-c", "echo healthy"], result: "success", output: "healthy\n" },
    { name: "a non-zero exit fails with stdout and stderr", command: ["sh", "-c", "echo out; echo err >&2; exit 3"], result: "failure", output: "out\nerr\n" },
    { name: "a command past its timeout fails", command: ["sleep", "5"], result: "failure", output: 'command "sleep 5" timed out' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      assert.deepEqual(await runProbe({ exec: { command: c.command }, timeoutSeconds: 1 }, target()), { result: c.result, output: c.output });
    });
  }

  it("is unknown when the command cannot be run", async () => {
    const outcome = await runProbe({ exec: { command: ["/nonexistent/probe"] } }, target());
    assert.equal(outcome.result, "unknown");
  });
});

describe("grpc probe", () => {
  let server: Running;
  before(async () => {
    server = await grpcHealthServer({ "": 1, down: 2 });
  });
  after(() => server.close());

  const cases = [
    { name: "SERVING succeeds", service: undefined, result: "success", output: "service healthy" },
    { name: "NOT_SERVING fails", service: "down", result: "failure", output: 'service unhealthy (responded with "NOT_SERVING")' },
    { name: "an unknown service fails with the rpc error", service: "other", result: "failure", output: "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const probe: Probe = { grpc: { port: server.port, ...(c.service === undefined ? {} : { service: c.service }) } };
      assert.deepEqual(await runProbe(probe, target()), { result: c.result, output: c.output });
    });
  }

  it("fails after the timeout when nothing listens", async () => {
    const port = await closedPort();
    const outcome = await runProbe({ grpc: { port }, timeoutSeconds: 1 }, target());
    assert.deepEqual(outcome, { result: "failure", output: `timeout: failed to connect service "127.0.0.1:${port}" within 1s: context deadline exceeded` });
  });
});
