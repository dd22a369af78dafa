// The messages one side of a ThreadClient's MessagePort sends, gathered over a turn of its event
// loop and posted as one array. Each postMessage has a fixed cost on both threads (a clone, a wake
// of the other thread, an event dispatched there) that a busy scheduler would otherwise pay for
// every binding, every Event it records and every result coming back.
import type { MessagePort } from "node:worker_threads";

export class Outbox<M> {
  private pending: M[] = [];
  private closed = false;

  constructor(private readonly port: MessagePort) {}

  send(message: M): void {
    if (this.closed) return;
    if (this.pending.push(message) === 1) setImmediate(() => this.flush());
  }

  /** Drops what is queued and everything sent later. */
  close(): void {
    this.closed = true;
    this.pending = [];
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0 && !this.closed) this.port.postMessage(batch);
  }
}

/** Calls `receive` with each message of the batches `port` brings. */
export function receiveBatches<M>(port: MessagePort, receive: (message: M) => void): void {
  port.on("message", (batch: M[]) => {
    for (const message of batch) receive(message);
  });
}
