// The kubelite/echo-server image: a small HTTP server for demos and tests, runnable as a program
// (`node dist/src/node/images/echo-server.js`). It listens on PORT (default 8080) at HOST (default
// all interfaces) and prints "echo-server listening on HOST:PORT" once ready.
//
//   GET  /healthz   200 "ok"; 500 "failing" after POST /fail, until POST /recover
//   GET  /metrics   Prometheus text: requests_total and requests_per_second (over the last 10 s)
//   any other path  JSON {method, path, query, headers, hostname, podName}
//
// Echo answers wait LATENCY_MS (env) before answering; `?latency=MS` on any request overrides it.
// Requests to /healthz and /metrics are not counted, so probes and scrapes do not move the numbers.
// SIGTERM or SIGINT closes the server and exits 0 within a second.
import http from "node:http";
import { hostname as osHostname } from "node:os";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

const WINDOW_SECONDS = 10;

export interface EchoServerOptions {
  port: number;
  host?: string;
  latencyMs?: number;
  hostname?: string;
  podName?: string;
  now?: () => number;
}

export interface EchoServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Requests per whole second over the last WINDOW_SECONDS, in one bucket per second. */
class RateWindow {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly now: () => number) {}

  record(): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + 1);
    for (const key of this.buckets.keys()) if (key <= second - WINDOW_SECONDS) this.buckets.delete(key);
  }

  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (const [key, count] of this.buckets) if (key > second - WINDOW_SECONDS) total += count;
    return total / WINDOW_SECONDS;
  }
}

export async function startEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  const now = options.now ?? Date.now;
  const window = new RateWindow(now);
  let requests = 0;
  // Two metrics written as Prometheus text directly: a metrics library would double the server's start time.
  const metricsText = () =>
    [
      "# HELP requests_total Requests served, excluding /healthz and /metrics.",
      "# TYPE requests_total counter",
      `requests_total ${requests}`,
      `# HELP requests_per_second Requests per second over the last ${WINDOW_SECONDS} seconds, excluding /healthz and /metrics.`,
      "# TYPE requests_per_second gauge",
      `requests_per_second ${window.perSecond()}`,
      "",
    ].join("\n");
  const identity = { hostname: options.hostname ?? osHostname(), podName: options.podName ?? options.hostname ?? osHostname() };
  let failing = false;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://echo");
    const latency = Number(url.searchParams.get("latency") ?? NaN);
    const send = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    const after = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : fn());
    if (url.pathname === "/metrics") {
      send(200, metricsText(), "text/plain; version=0.0.4; charset=utf-8");
      return;
    }
    if (url.pathname === "/healthz") {
      after(Number.isFinite(latency) ? latency : 0, () => (failing ? send(500, "failing") : send(200, "ok")));
      return;
    }
    requests++;
    window.record();
    if (req.method === "POST" && (url.pathname === "/fail" || url.pathname === "/recover")) {
      failing = url.pathname === "/fail";
      send(200, failing ? "healthz will fail" : "healthz recovered");
      return;
    }
    req.resume();
    after(Number.isFinite(latency) ? latency : (options.latencyMs ?? 0), () => {
      const echo = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, ...identity };
      send(200, JSON.stringify(echo) + "\n", "application/json");
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The program: options from the environment, as a container's process receives them. */
async function main(): Promise<void> {
  const env = process.env;
  const echo = await startEchoServer({
    port: Number(env.PORT ?? 8080),
    host: env.HOST || undefined,
    latencyMs: Number(env.LATENCY_MS ?? 0) || 0,
    hostname: env.HOSTNAME || undefined,
    podName: env.POD_NAME || env.HOSTNAME || undefined,
  });
  const address = echo.server.address() as AddressInfo;
  process.stdout.write(`echo-server listening on ${address.address}:${address.port}\n`);
  const shutdown = () => {
    setTimeout(() => process.exit(0), 900).unref();
    void echo.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`echo-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
