// A minimal SPDY/3.1 port-forward client for tests: upgrades an HTTPS connection (POST with
// Upgrade: SPDY/3.1), opens error/data stream pairs as kubectl does, and collects what comes back.
import { connect, type TLSSocket } from "node:tls";
import { encodeData, encodeSynStream, FrameParser, type Frame } from "../../../src/node/streaming/spdy/frames.js";
import { HeaderCodec } from "../../../src/node/streaming/spdy/header-block.js";

export interface Tls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class SpdyTestClient {
  private readonly codec = new HeaderCodec();
  private readonly parser = new FrameParser();
  private nextId = 1;
  readonly received = new Map<number, { data: Buffer[]; fin: boolean; replied: boolean; reset: boolean }>();
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: TLSSocket) {}

  static async connect(port: number, path: string, tls: Tls): Promise<SpdyTestClient> {
    const socket = connect({ host: "127.0.0.1", port, ca: tls.caPem, cert: tls.certPem, key: tls.keyPem, servername: "localhost" });
    await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        const status = head.subarray(0, end).toString();
        if (!status.startsWith("HTTP/1.1 101")) reject(new Error(`no upgrade: ${status}`));
        else resolve(head.subarray(end + 4));
      };
      socket.on("data", onData);
    });
    const client = new SpdyTestClient(socket);
    socket.on("data", (chunk: Buffer) => client.receive(chunk));
    if (rest.length > 0) client.receive(rest);
    return client;
  }

  /** Opens the error and data streams of one forwarded connection; returns the data stream id. */
  async openPair(port: number, requestId: number): Promise<{ error: number; data: number }> {
    const error = await this.open(new Map([["streamtype", ["error"]], ["port", [String(port)]], ["requestid", [String(requestId)]]]));
    const data = await this.open(new Map([["streamtype", ["data"]], ["port", [String(port)]], ["requestid", [String(requestId)]]]));
    return { error, data };
  }

  write(streamId: number, data: Buffer, fin = false): void {
    this.socket.write(encodeData(streamId, data, fin));
  }

  text(streamId: number): string {
    return Buffer.concat(this.received.get(streamId)?.data ?? []).toString();
  }

  async waitFor(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.codec.close();
    this.socket.destroy();
  }

  private async open(headers: Map<string, string[]>): Promise<number> {
    const id = this.nextId;
    this.nextId += 2;
    this.entry(id);
    this.socket.write(encodeSynStream({ streamId: id, headerBlock: await this.codec.compress(headers) }));
    return id;
  }

  private entry(id: number) {
    let e = this.received.get(id);
    if (!e) this.received.set(id, (e = { data: [], fin: false, replied: false, reset: false }));
    return e;
  }

  private receive(chunk: Buffer): void {
    for (const frame of this.parser.push(chunk)) this.handle(frame).catch(() => undefined);
  }

  private async handle(frame: Frame): Promise<void> {
    if (frame.type === "syn_reply") {
      await this.codec.decompress(frame.headerBlock);
      this.entry(frame.streamId).replied = true;
      if (frame.fin) this.entry(frame.streamId).fin = true;
    } else if (frame.type === "data") {
      const e = this.entry(frame.streamId);
      e.data.push(frame.data);
      if (frame.fin) e.fin = true;
    } else if (frame.type === "rst_stream") {
      this.entry(frame.streamId).reset = true;
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}
