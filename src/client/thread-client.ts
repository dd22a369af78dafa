// The Client of a component that runs on a worker thread (the scheduler): every call goes over a
// MessagePort to a ThreadClientHost on the API server's thread, which makes it with an in-process
// Client as the component's identity. Watch events and list items arrive as the JSON the watch
// cache already holds and are parsed here, so the server's thread does not encode them again.
// Errors are StatusErrors, as with the other clients; watch events' objects are deep-frozen, as the
// in-process client's are.
import type { MessagePort } from "node:worker_threads";
import { deepFreeze } from "../api/deep-freeze.js";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import type {
  Client, DeleteOptions, ListOptions, ObjectList, PatchOptions, PatchType, ResourceRef, WatchCallbacks, WatchHandle, WatchOptions, WriteOptions,
} from "./client.js";
import type { Call, ErrorData, FromHost, ToHost } from "./thread-protocol.js";
import { Outbox, receiveBatches } from "./thread-outbox.js";

interface Pending {
  resolve(reply: FromHost): void;
  reject(err: Error): void;
}

export class ThreadClient implements Client {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, WatchCallbacks>();
  private readonly outbox: Outbox<ToHost>;

  constructor(port: MessagePort) {
    this.outbox = new Outbox(port);
    receiveBatches<FromHost>(port, (message) => this.receive(message));
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    return (await this.call({ method: "get", ref, namespace, name })) as KubeObject;
  }

  async list(ref: ResourceRef, options: ListOptions = {}): Promise<ObjectList> {
    const reply = await this.request({ method: "list", ref, options });
    if (reply.type !== "list") throw new Error(`unexpected reply to a list: ${reply.type}`);
    return { items: reply.items.map((json) => JSON.parse(json) as KubeObject), resourceVersion: reply.resourceVersion, continue: reply.continue };
  }

  watch(ref: ResourceRef, options: WatchOptions, callbacks: WatchCallbacks): WatchHandle {
    const id = this.nextId++;
    this.watches.set(id, callbacks);
    this.send({ type: "watch", id, ref, options });
    return {
      stop: () => {
        if (this.watches.delete(id)) this.send({ type: "unwatch", id });
      },
    };
  }

  async create(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return (await this.call({ method: "create", ref, namespace, object, options })) as KubeObject;
  }

  async update(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return (await this.call({ method: "update", ref, namespace, object, options })) as KubeObject;
  }

  async patch(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options: PatchOptions = {}): Promise<KubeObject> {
    return (await this.call({ method: "patch", ref, namespace, name, type, patch, options })) as KubeObject;
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<void> {
    await this.call({ method: "delete", ref, namespace, name, options });
  }

  async createSubresource(ref: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    return (await this.call({ method: "createSubresource", ref, namespace, name, subresource, body })) as KubeObject;
  }

  private async call(call: Call): Promise<unknown> {
    const reply = await this.request(call);
    return reply.type === "result" && reply.json !== undefined ? JSON.parse(reply.json) : undefined;
  }

  private request(call: Call): Promise<FromHost> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: "call", id, call });
    });
  }

  private send(message: ToHost): void {
    this.outbox.send(message);
  }

  private receive(message: FromHost): void {
    if (message.type === "events") {
      const callbacks = this.watches.get(message.id);
      for (const [type, json] of message.events) {
        // A handler may stop the watch part way through a batch.
        if (!this.watches.has(message.id)) return;
        callbacks?.onEvent(type, deepFreeze(JSON.parse(json) as KubeObject));
      }
      return;
    }
    if (message.type === "closed") {
      const callbacks = this.watches.get(message.id);
      this.watches.delete(message.id);
      callbacks?.onClose({ expired: message.expired, error: message.error && statusError(message.error) });
      return;
    }
    const pending = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!pending) return;
    if (message.type === "result" && message.error) pending.reject(statusError(message.error));
    else pending.resolve(message);
  }
}

function statusError(data: ErrorData): StatusError {
  return new StatusError(data.code, data.reason, data.message, data.details);
}
