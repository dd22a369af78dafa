// Hands out one shared Informer per (resource, namespace, label selector, field selector), so every
// controller interested in pods shares one watch and one cache (client-go's SharedInformerFactory).
// `start` starts every informer handed out so far, and any handed out later as soon as it is
// requested; `waitForSync` waits for all of them; `stop` stops them all for good.
import { createLogger } from "../log.js";
import type { Client, ResourceRef } from "./client.js";
import { Informer, type InformerOptions, type InformerSelector } from "./informer.js";

/** Options every informer of the factory gets (selectors are per informer). */
export type InformerFactoryOptions = Omit<InformerOptions, keyof InformerSelector>;

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;
  private stopped = false;
  private readonly options: InformerFactoryOptions;

  constructor(
    private readonly client: Client,
    options: InformerFactoryOptions = {},
  ) {
    // One logger for all informers unless given: each informer adds its resource to it.
    this.options = { ...options, logger: options.logger ?? createLogger("info") };
  }

  /** The shared informer for this resource and selector, created on first request. */
  informerFor(resource: ResourceRef, selector: InformerSelector = {}): Informer {
    if (this.stopped) throw new Error("the informer factory is stopped");
    const key = informerKey(resource, selector);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer(this.client, resource, { ...this.options, ...selector });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Starts every informer, now and as they are requested. */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves true when every informer handed out so far has synced, false if one was stopped first. */
  async waitForSync(): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
    return results.every(Boolean);
  }

  /** Stops every informer; resolves when their loops have exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }
}

function informerKey(resource: ResourceRef, selector: InformerSelector): string {
  const { group, version, resource: plural } = resource;
  return JSON.stringify([group, version, plural, selector.namespace ?? "", selector.labelSelector ?? "", selector.fieldSelector ?? ""]);
}
