// Real servers on 127.0.0.1 for the prober tests (HTTP, HTTPS with a self-signed certificate, h2c
// gRPC health), and probe targets that dial and exec for real.
import { spawn } from "node:child_process";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import { Duplex } from "node:stream";
import { createCA } from "../../../src/auth/certificate-issuer.js";
import type { ExecProbeResult, ProbeTarget } from "../../../src/node/probes/target.js";
import type { ProbedContainer } from "../../../src/node/probes/probe-spec.js";

export interface Running {
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function httpServer(handler: http.RequestListener): Promise<Running> {
  return listen(http.createServer(handler));
}

export async function httpsServer(handler: http.RequestListener): Promise<Running> {
  const { certPem, keyPem } = await createCA({ now: () => new Date(), crypto: globalThis.crypto });
  return listen(https.createServer({ cert: certPem, key: keyPem }, handler));
}

export function tcpServer(): Promise<Running> {
  return listen(net.createServer((socket) => socket.end()));
}

/** A closed port: bound, noted, released. */
export async function closedPort(): Promise<number> {
  const server = await tcpServer();
  await server.close();
  return server.port;
}

/** grpc.health.v1.Health over h2c: statuses by service name; other services answer NotFound. */
export function grpcHealthServer(statuses: Record<string, number>): Promise<Running> {
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    if (headers[":path"] !== "/grpc.health.v1.Health/Check") {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12", "grpc-message": "unknown service" }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const service = decodeService(Buffer.concat(chunks).subarray(5));
      const status = statuses[service];
      if (status === undefined) {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "5", "grpc-message": "unknown service" }, { endStream: true });
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      const message = Buffer.from([0x08, status]);
      const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
      stream.end(frame);
    });
  });
  return listen(server);
}

/** HealthCheckRequest field 1 (service, a string), decoded by hand. */
function decodeService(message: Buffer): string {
  if (message.length < 2 || message[0] !== 0x0a) return "";
  return message.subarray(2, 2 + (message[1] ?? 0)).toString("utf8");
}

/** Connects on the host network, as a pod in host-network mode would be reached. */
export function dialTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** The same connection behind a plain Duplex, as a port-forward into a network namespace gives one. */
export async function dialWrapped(host: string, port: number): Promise<Duplex> {
  const socket = (await dialTcp(host, port)) as net.Socket;
  const wrapper = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on("data", (data: Buffer) => {
    if (!wrapper.push(data)) socket.pause();
  });
  socket.on("end", () => wrapper.push(null));
  socket.on("error", (err) => wrapper.destroy(err));
  return wrapper;
}

/** Runs the command as a real child process, killing it after timeoutMs. */
export function execChild(command: string[], timeoutMs: number): Promise<ExecProbeResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    if (!file) return reject(new Error("empty command"));
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => stdout.push(d));
    child.stderr.on("data", (d: Buffer) => stderr.push(d));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 137, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), timedOut });
    });
  });
}

export function target(container: ProbedContainer = { name: "app" }, dial: ProbeTarget["dial"] = dialTcp): ProbeTarget {
  return { podIP: "127.0.0.1", container, dial, exec: execChild };
}
