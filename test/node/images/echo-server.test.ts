// The echo server image as a real child process on 127.0.0.1: health, echo, latency, metrics,
// failure switches and a clean exit on SIGTERM.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { ImageMap } from "../../../src/node/images/image-map.js";

interface Started {
  child: ChildProcess;
  base: string;
}

/** Starts the image's command as the process runtime would, on a free port of 127.0.0.1. */
async function startEcho(env: Record<string, string> = {}): Promise<Started> {
  const info = new ImageMap().resolve("kubelite/echo-server:latest");
  assert.ok(info);
  const [file, ...args] = info.command;
  assert.ok(file);
  const child = spawn(file, args, { env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
    });
    child.once("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  const match = /listening on (\S+):(\d+)$/.exec(line);
  assert.ok(match, `unexpected first line: ${line}`);
  return { child, base: `http://127.0.0.1:${match[2]}` };
}

async function text(url: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

function metric(body: string, name: string): number {
  const line = body.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}

describe("echo server", () => {
  let echo: Started;
  before(async () => {
    echo = await startEcho({ POD_NAME: "web-7d9f", HOSTNAME: "web-7d9f" });
  });
  after(() => {
    echo.child.kill("SIGKILL");
  });

  it("answers /healthz with 200 ok", async () => {
    assert.deepEqual(await text(`${echo.base}/healthz`), { status: 200, body: "ok" });
  });

  it("echoes the request with the pod's name", async () => {
    const res = await text(`${echo.base}/some/path?x=1`, { headers: { "x-test": "hello" } });
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body.method, "GET");
    assert.equal(body.path, "/some/path");
    assert.deepEqual(body.query, { x: "1" });
    assert.equal((body.headers as Record<string, string>)["x-test"], "hello");
    assert.equal(body.podName, "web-7d9f");
    assert.equal(body.hostname, "web-7d9f");
  });

  it("waits ?latency=ms before answering", async () => {
    const start = Date.now();
    await text(`${echo.base}/?latency=300`);
    assert.ok(Date.now() - start >= 290, `answered after ${Date.now() - start} ms`);
  });

  it("counts requests and reports requests per second over the last 10 s", async () => {
    const before = metric((await text(`${echo.base}/metrics`)).body, "requests_total");
    await Promise.all(Array.from({ length: 20 }, () => text(`${echo.base}/load`)));
    const body = (await text(`${echo.base}/metrics`)).body;
    assert.equal(metric(body, "requests_total"), before + 20);
    assert.ok(metric(body, "requests_per_second") >= 2, body);
  });

  it("fails /healthz after POST /fail and recovers after POST /recover", async () => {
    assert.equal((await text(`${echo.base}/fail`, { method: "POST" })).status, 200);
    assert.deepEqual(await text(`${echo.base}/healthz`), { status: 500, body: "failing" });
    await text(`${echo.base}/recover`, { method: "POST" });
    assert.deepEqual(await text(`${echo.base}/healthz`), { status: 200, body: "ok" });
  });
});

describe("echo server process", () => {
  it("applies LATENCY_MS to echo answers but not to /healthz", async () => {
    const echo = await startEcho({ LATENCY_MS: "400" });
    try {
      let start = Date.now();
      await text(`${echo.base}/`);
      assert.ok(Date.now() - start >= 390);
      start = Date.now();
      await text(`${echo.base}/healthz`);
      assert.ok(Date.now() - start < 390);
    } finally {
      echo.child.kill("SIGKILL");
    }
  });

  it("exits 0 within a second of SIGTERM", async () => {
    const echo = await startEcho();
    await text(`${echo.base}/healthz`);
    const start = Date.now();
    echo.child.kill("SIGTERM");
    const [code] = (await once(echo.child, "exit")) as [number | null];
    assert.equal(code, 0);
    assert.ok(Date.now() - start < 1000, `took ${Date.now() - start} ms`);
  });
});

describe("pause image", () => {
  it("runs until SIGTERM and then exits 0", async () => {
    const info = new ImageMap().resolve("kubelite/pause");
    const [file, ...args] = info?.command ?? [];
    assert.ok(file);
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
    const [first] = (await once(child.stdout!, "data")) as [Buffer];
    assert.equal(first.toString(), "pause: waiting for SIGTERM\n");
    assert.equal(child.exitCode, null);
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
  });
});
