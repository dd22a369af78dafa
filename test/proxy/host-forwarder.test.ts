import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { freePort } from "../support/free-port.js";
import { createLogger } from "../../src/log.js";
import { HostForwarder } from "../../src/proxy/host-forwarder.js";

const log = createLogger("error");

/** A TCP server on 127.0.0.1 that answers every line with `tag:` + the line. */
async function echoServer(tag: string): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => socket.on("data", (chunk) => socket.write(`${tag}:${chunk.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}


async function ask(port: number, line: string): Promise<string> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.write(line);
  const [reply] = (await Promise.race([
    new Promise((resolve, reject) => {
      socket.once("data", (chunk: Buffer) => resolve([chunk.toString()]));
      socket.once("error", reject);
    }),
    new Promise((_, reject) => setTimeout(() => reject(new Error("no reply")), 2000)),
  ])) as [string];
  socket.destroy();
  return reply;
}

test("a host listener forwards connections to the target it is given, and follows a new target", async () => {
  const a = await echoServer("a");
  const b = await echoServer("b");
  const port = await freePort();
  const forwarder = new HostForwarder({ log });
  try {
    const to = (target: number) => [{ port, description: "test", connect: async () => net.connect({ port: target, host: "127.0.0.1" }) }];
    await forwarder.sync(to(a.port));
    assert.equal(await ask(port, "hi"), "a:hi");
    await forwarder.sync(to(b.port));
    assert.equal(await ask(port, "hi"), "b:hi");
    await forwarder.sync([]);
    assert.deepEqual(forwarder.ports(), []);
    await assert.rejects(ask(port, "hi"));
  } finally {
    await forwarder.close();
    a.close();
    b.close();
  }
});

test("a port another program holds is reported, and taken once it is free", async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as net.AddressInfo).port;
  const target = await echoServer("t");
  const errors: string[] = [];
  const forwarder = new HostForwarder({ log, onListenError: (wanted, error) => errors.push(`${wanted.description} ${error.code}`) });
  try {
    const wanted = [{ port, description: "ns/lb:80", connect: async () => net.connect({ port: target.port, host: "127.0.0.1" }) }];
    await forwarder.sync(wanted);
    assert.deepEqual(errors, ["ns/lb:80 EADDRINUSE"]);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await forwarder.sync(wanted);
    assert.equal(await ask(port, "x"), "t:x");
  } finally {
    await forwarder.close();
    target.close();
  }
});
