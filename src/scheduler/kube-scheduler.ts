// The scheduler component (kube-scheduler's role): keeps its cache of nodes and assigned pods from
// the shared informers, queues pending pods of `default-scheduler`, runs one scheduling cycle at a
// time and binds through pods/binding asynchronously. A pod that fits nowhere gets upstream's
// PodScheduled=False condition (reason Unschedulable) and FailedScheduling event with the
// "0/N nodes are available: ..." message, and waits for a cluster change; preemption victims are
// deleted and the preemptor nominated, sparing pods a PodDisruptionBudget protects where it can.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type Client, type ResourceRef } from "../client/client.js";
import { realClock, type Clock } from "../client/clock.js";
import type { EventRecorder } from "../client/event-recorder.js";
import type { InformerFactory } from "../client/informer-factory.js";
import type { Logger } from "../log.js";
import type { Node, Pod, PodDisruptionBudget } from "./api-types.js";
import { Cache } from "./cache.js";
import { NoNodesAvailableError } from "./fit-error.js";
import { Framework } from "./framework-runtime.js";
import { Nominator } from "./nominator.js";
import { DEFAULT_SCHEDULER_NAME, defaultProfile, inTreeRegistry } from "./plugins/index.js";
import { VOLUME_BINDING_EVENTS } from "./plugins/volume-binding.js";
import { Scheduler, type SchedulingOutcome } from "./schedule-one.js";
import { podKey, SchedulingQueue } from "./scheduling-queue.js";
import { rfc3339 } from "../api/meta-time.js";

const PODS = CORE_V1("pods");
const PDBS: ResourceRef = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };

/** Event reasons, as upstream records them. */
export const Scheduled = "Scheduled";
export const FailedScheduling = "FailedScheduling";
export const Preempted = "Preempted";

export interface KubeSchedulerOptions {
  client: Client;
  informers: InformerFactory;
  recorder: EventRecorder;
  log: Logger;
  clock?: Clock;
  random?: () => number;
}

export class KubeScheduler {
  private readonly cache = new Cache();
  private readonly queue: SchedulingQueue;
  private readonly scheduler: Scheduler;
  private readonly nominator = new Nominator();
  private readonly unsubscribe: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: KubeSchedulerOptions) {
    const clock = options.clock ?? realClock;
    this.queue = new SchedulingQueue({ clock });
    const framework = new Framework({
      profile: defaultProfile(),
      registry: inTreeRegistry(),
      snapshot: this.cache,
      random: options.random ?? Math.random,
      nominator: this.nominator,
      bindPod: (pod, nodeName) => this.bind(pod, nodeName),
      informers: options.informers,
      client: options.client,
    });
    this.scheduler = new Scheduler({ framework, cache: this.cache });
  }

  /** Follows nodes, namespaces, PodDisruptionBudgets and pods, then schedules until stopped. */
  async start(): Promise<void> {
    const { informers } = this.options;
    const nodes = informers.informerFor(CORE_V1("nodes"));
    const namespaces = informers.informerFor(CORE_V1("namespaces"));
    const pdbs = informers.informerFor(PDBS);
    const pods = informers.informerFor(PODS);
    this.unsubscribe.push(
      nodes.addEventHandler({
        onAdd: (n) => this.nodeChanged(n as Node),
        onUpdate: (_old, n) => this.nodeChanged(n as Node),
        onDelete: (n) => this.cache.removeNode(n.metadata?.name ?? ""),
      }),
      namespaces.addEventHandler({ onAdd: (ns) => this.cache.addNamespace(ns), onUpdate: (_o, ns) => this.cache.addNamespace(ns), onDelete: (ns) => this.cache.removeNamespace(ns.metadata?.name ?? "") }),
      pdbs.addEventHandler({
        onAdd: (b) => this.cache.addPDB(b as PodDisruptionBudget),
        onUpdate: (_o, b) => this.cache.updatePDB(b as PodDisruptionBudget),
        onDelete: (b) => this.cache.removePDB(b as PodDisruptionBudget),
      }),
      pods.addEventHandler({ onAdd: (p) => this.podChanged(p as Pod), onUpdate: (_o, p) => this.podChanged(p as Pod), onDelete: (p) => this.podDeleted(p as Pod) }),
    );
    // Claims, volumes and classes changing may let a pod VolumeBinding rejected fit.
    const volumeInformers = VOLUME_BINDING_EVENTS.map((resource) => informers.informerFor(resource));
    const moveAll = () => this.queue.moveAllToActiveOrBackoff();
    for (const informer of volumeInformers) this.unsubscribe.push(informer.addEventHandler({ onAdd: moveAll, onUpdate: moveAll, onDelete: moveAll }));
    await Promise.all([nodes.waitForSync(), namespaces.waitForSync(), pdbs.waitForSync(), pods.waitForSync(), ...volumeInformers.map((i) => i.waitForSync())]);
    if (!this.stopped) this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.queue.close();
    await this.running;
  }

  private nodeChanged(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoff();
  }

  private podChanged(pod: Pod): void {
    if (assignedNode(pod)) {
      this.queue.delete(podKey(pod));
      if (this.cache.getPod(podKey(pod))) this.cache.updatePod(pod);
      else this.cache.addPod(pod);
      return;
    }
    if (isPendingForUs(pod)) this.queue.add(pod);
    else this.queue.delete(podKey(pod));
  }

  private podDeleted(pod: Pod): void {
    this.queue.delete(podKey(pod));
    this.nominator.deleteNominatedPod(podKey(pod));
    if (assignedNode(pod)) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private async loop(): Promise<void> {
    for (let next = await this.queue.pop(); next; next = await this.queue.pop()) {
      const outcome = this.scheduler.schedulingCycle(next.pod);
      this.handle(next.pod, next.key, outcome).catch((err: unknown) => this.options.log.error("scheduling failed", { pod: next?.key, error: err }));
    }
  }

  private async handle(pod: Pod, key: string, outcome: SchedulingOutcome): Promise<void> {
    if (outcome.kind === "scheduled") {
      const status = await this.scheduler.bindingCycle(outcome);
      if (status.isSuccess()) {
        this.queue.done(key, "bound");
        await this.options.recorder.event(pod, "Normal", Scheduled, `Successfully assigned ${key} to ${outcome.result.suggestedHost}`);
        return;
      }
      this.queue.done(key, "error");
      await this.options.recorder.event(pod, "Warning", FailedScheduling, `Binding rejected: ${status.message()}`);
      return;
    }
    if (outcome.kind === "error" && !(outcome.error instanceof NoNodesAvailableError)) {
      this.queue.done(key, "error");
      this.options.log.warn("scheduling cycle failed", { pod: key, error: outcome.error });
      return;
    }
    const message = outcome.kind === "error" ? "no nodes available to schedule pods" : outcome.error.message;
    this.queue.done(key, "unschedulable");
    if (outcome.kind === "unschedulable" && outcome.victims?.length) await this.preempt(pod, outcome.nominatedNodeName, outcome.victims.map((v) => v.pod));
    await this.markUnschedulable(pod, message, outcome.kind === "unschedulable" ? outcome.nominatedNodeName : undefined);
    await this.options.recorder.event(pod, "Warning", FailedScheduling, message);
  }

  private async bind(pod: Pod, nodeName: string): Promise<void> {
    const meta = pod.metadata ?? {};
    await this.options.client.createSubresource(PODS, meta.namespace, meta.name ?? "", "binding", {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid },
      target: { apiVersion: "v1", kind: "Node", name: nodeName },
    });
  }

  /** upstream: PodScheduled False, reason Unschedulable, the FitError message; nominatedNodeName after preemption. */
  private async markUnschedulable(pod: Pod, message: string, nominatedNodeName: string | undefined): Promise<void> {
    const meta = pod.metadata ?? {};
    const condition = { type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) };
    // A strategic merge patch merges conditions by type, as upstream's PatchPodStatus does: this
    // changes PodScheduled only, whatever else was written to the pod's conditions meanwhile.
    const status: Record<string, unknown> = { conditions: [condition] };
    if (nominatedNodeName) status.nominatedNodeName = nominatedNodeName;
    await ignoreGone(this.options.client.patch(PODS, meta.namespace, meta.name ?? "", "strategic", { status }, { subresource: "status" }));
  }

  private async preempt(preemptor: Pod, nodeName: string | undefined, victims: readonly KubeObject[]): Promise<void> {
    for (const victim of victims) {
      const meta = victim.metadata ?? {};
      await ignoreGone(this.options.client.delete(PODS, meta.namespace, meta.name ?? "", { preconditions: { uid: meta.uid } }));
      await this.options.recorder.event(victim, "Normal", Preempted, `Preempted by pod ${preemptor.metadata?.uid ?? ""} on node ${nodeName ?? ""}`);
    }
  }
}

function assignedNode(pod: Pod): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

/** Unassigned, not terminating, not finished, and ours to schedule. */
function isPendingForUs(pod: Pod): boolean {
  const spec = (pod.spec ?? {}) as { schedulerName?: string; schedulingGates?: unknown[] };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (pod.metadata?.deletionTimestamp || phase === "Succeeded" || phase === "Failed") return false;
  if ((spec.schedulingGates ?? []).length > 0) return false;
  return (spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME;
}

async function ignoreGone(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
  }
}
