// The API server's side of a ThreadClient: makes the worker's calls with an in-process Client (the
// component's identity, authorised and admitted as any in-process call) and streams its watches as
// the watch cache's JSON, the events of one turn of the loop in one message. Results go back as JSON
// too, the cache's own when it holds the object written. Messages leave in batches (thread-outbox.ts).
// A host made `withoutManagedFields` drops them from what it sends, for a component that never reads
// them (see jsonWithoutManagedFields).
import type { MessagePort } from "node:worker_threads";
import { StatusError } from "../api/errors.js";
import { jsonWithoutManagedFields } from "../api/stored-json.js";
import type { KubeObject } from "../api/resource.js";
import type { WatchEventType, WatchHandle } from "./client.js";
import type { InProcessClient } from "./in-process.js";
import type { Call, ErrorData, FromHost, ToHost } from "./thread-protocol.js";
import { Outbox, receiveBatches } from "./thread-outbox.js";

export class ThreadClientHost {
  private readonly watches = new Map<number, WatchHandle>();
  private stopped = false;

  private readonly outgoing: (json: string) => string;
  private readonly outbox: Outbox<FromHost>;

  constructor(port: MessagePort, private readonly client: InProcessClient, options: { withoutManagedFields?: boolean } = {}) {
    this.outgoing = options.withoutManagedFields ? jsonWithoutManagedFields : (json) => json;
    this.outbox = new Outbox(port);
    receiveBatches<ToHost>(port, (message) => this.receive(message));
  }

  /** Ends every watch; later messages are ignored. */
  stop(): void {
    this.stopped = true;
    this.outbox.close();
    for (const handle of this.watches.values()) handle.stop();
    this.watches.clear();
  }

  private receive(message: ToHost): void {
    if (this.stopped) return;
    if (message.type === "call") void this.serve(message.id, message.call);
    else if (message.type === "watch") this.watch(message);
    else {
      this.watches.get(message.id)?.stop();
      this.watches.delete(message.id);
    }
  }

  private async serve(id: number, call: Call): Promise<void> {
    let reply: FromHost;
    try {
      if (call.method === "list") {
        const listed = await this.client.listJson(call.ref, call.options);
        reply = { type: "list", id, items: listed.items.map(this.outgoing), resourceVersion: listed.resourceVersion, continue: listed.continue };
      } else {
        const value = await this.run(call);
        reply = { type: "result", id, json: value === undefined ? undefined : this.outgoing(this.client.jsonOf(call.ref, value as KubeObject)) };
      }
    } catch (err) {
      reply = { type: "result", id, error: errorData(err) };
    }
    this.send(reply);
  }

  private run(call: Exclude<Call, { method: "list" }>): Promise<KubeObject | void> {
    const { client } = this;
    switch (call.method) {
      case "get": return client.get(call.ref, call.namespace, call.name);
      case "create": return client.create(call.ref, call.namespace, call.object, call.options);
      case "update": return client.update(call.ref, call.namespace, call.object, call.options);
      case "patch": return client.patch(call.ref, call.namespace, call.name, call.type, call.patch, call.options);
      case "delete": return client.delete(call.ref, call.namespace, call.name, call.options);
      case "createSubresource": return client.createSubresource(call.ref, call.namespace, call.name, call.subresource, call.body);
    }
  }

  private watch(message: Extract<ToHost, { type: "watch" }>): void {
    const { id } = message;
    let batch: [WatchEventType, string][] = [];
    const flush = () => {
      const events = batch;
      batch = [];
      if (this.watches.has(id)) this.send({ type: "events", id, events });
    };
    try {
      const handle = this.client.watchJson(message.ref, message.options, {
        onEvent: (type, json) => {
          if (batch.push([type, this.outgoing(json)]) === 1) queueMicrotask(flush);
        },
        onClose: (reason) => {
          if (batch.length > 0) flush();
          if (!this.watches.delete(id)) return;
          this.send({ type: "closed", id, expired: reason.expired, error: reason.error && errorData(reason.error) });
        },
      });
      this.watches.set(id, handle);
    } catch (err) {
      this.send({ type: "closed", id, expired: false, error: errorData(err) });
    }
  }

  private send(message: FromHost): void {
    this.outbox.send(message);
  }
}

function errorData(err: unknown): ErrorData {
  if (err instanceof StatusError) return { code: err.code, reason: err.reason, message: err.message, details: err.details };
  return { code: 500, reason: "InternalError", message: err instanceof Error ? err.message : String(err) };
}
