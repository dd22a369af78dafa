// The dial helper: a tiny program the agent starts inside a node's network namespace (via
// `nsenter --net=…`), listening on a unix socket in the agent's data dir. Unix sockets are
// reachable across network namespaces, so the agent, in the host's namespace, reaches pod IPs
// without any route from the host. Protocol per connection: the client sends "IP PORT\n"; the
// helper connects inside its namespace and answers "ok\n" or "error CODE message\n", then
// copies bytes both ways. It exits when its stdin closes, i.e. when the agent that started it
// goes away, so a killed agent never leaves a helper behind.
// Usage: node dial-helper.js SOCKET_PATH [CONNECT_TIMEOUT_MS]
import { chmodSync, rmSync } from "node:fs";
import net from "node:net";

const MAX_HEADER = 128;

function serve(socketPath: string, connectTimeoutMs: number): void {
  rmSync(socketPath, { force: true });
  const server = net.createServer({ allowHalfOpen: true }, (client) => handle(client, connectTimeoutMs));
  server.listen(socketPath, () => {
    chmodSync(socketPath, 0o600);
    process.stdout.write("ready\n");
  });
  server.on("error", (error) => {
    process.stderr.write(`dial helper: ${error.message}\n`);
    process.exit(1);
  });
}

function handle(client: net.Socket, connectTimeoutMs: number): void {
  let header = Buffer.alloc(0);
  client.on("error", () => client.destroy());
  const onData = (chunk: Buffer) => {
    header = Buffer.concat([header, chunk]);
    const end = header.indexOf(10);
    if (end < 0) {
      if (header.length > MAX_HEADER) client.destroy();
      return;
    }
    client.off("data", onData);
    client.pause();
    const target = parseTarget(header.subarray(0, end).toString("utf8"));
    if (!target) {
      client.end("error EINVAL expected 'IP PORT'\n");
      return;
    }
    connect(client, target, header.subarray(end + 1), connectTimeoutMs);
  };
  client.on("data", onData);
}

function parseTarget(line: string): { host: string; port: number } | undefined {
  const [host, portText] = line.trim().split(" ");
  const port = Number(portText);
  if (!host || net.isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function connect(client: net.Socket, target: { host: string; port: number }, early: Buffer, timeoutMs: number): void {
  const upstream = net.connect({ ...target, allowHalfOpen: true });
  const timer = setTimeout(() => upstream.destroy(Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" })), timeoutMs);
  const fail = (error: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    client.end(`error ${error.code ?? "EIO"} ${error.message}\n`);
  };
  upstream.once("error", fail);
  upstream.once("connect", () => {
    clearTimeout(timer);
    upstream.off("error", fail);
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.write("ok\n");
    if (early.length > 0) upstream.write(early);
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

const [socketPath, timeoutText] = process.argv.slice(2);
if (!socketPath) {
  process.stderr.write("usage: dial-helper SOCKET_PATH [CONNECT_TIMEOUT_MS]\n");
  process.exit(2);
}
serve(socketPath, Number(timeoutText) || 10_000);
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
