// The garbage collector (upstream pkg/controller/garbagecollector): one shared informer per
// deletable served resource (events excepted, as upstream's default ignored resources) feeds the
// dependency graph built from ownerReferences; the collector deletes objects whose owners are all
// gone and carries out foreground and orphan deletion (the `foregroundDeletion` and `orphan`
// finalizers the API sets from the propagation policy). Work items are object uids; workers start
// once every informer has synced. The pieces live in garbage-collector/.
import type { Controller } from "../client/controller.js";
import { defineController } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { AbsentOwnerCache } from "./garbage-collector/absent-owner-cache.js";
import { GarbageCollector } from "./garbage-collector/collector.js";
import { Graph } from "./garbage-collector/graph.js";
import { GraphBuilder } from "./garbage-collector/graph-builder.js";
import { Operations } from "./garbage-collector/operations.js";
import { ServedResources, type ServedResource } from "./served-resources.js";

/** upstream's --concurrent-gc-syncs default. */
const CONCURRENT_GC_SYNCS = 20;

export const garbageCollectorController: ControllerRegistration = {
  name: "garbage-collector",
  component: "garbage-collector-controller",
  create: createGarbageCollector,
};

function createGarbageCollector(ctx: ControllerContext): Controller {
  const resources = new ServedResources();
  const monitored = resources.garbageCollected().map((resource) => ({ resource, informer: ctx.informers.informerFor(resource.ref) }));
  const graph = new Graph();
  const absentOwners = new AbsentOwnerCache();
  let enqueue: (uid: string) => void = () => {};
  const builder = new GraphBuilder(graph, absentOwners, (uid) => enqueue(uid));
  const collector = new GarbageCollector({ graph, builder, absentOwners, operations: new Operations(ctx.client), resources });
  const controller = defineController({
    name: "garbage-collector",
    reconcile: async (uid, rctx) => collector.sync(uid, rctx.logger),
    workers: CONCURRENT_GC_SYNCS,
    reads: monitored.map((m) => m.informer),
    clock: ctx.clock,
    logger: ctx.log,
  });
  enqueue = (uid) => controller.enqueue(uid);
  return withGraphMonitors(controller, monitored, builder);
}

/** The controller, with the graph builder's informer handlers added on start and removed on stop. */
function withGraphMonitors(controller: Controller, monitored: { resource: ServedResource; informer: Informer }[], builder: GraphBuilder): Controller {
  let removals: (() => void)[] = [];
  return {
    name: controller.name,
    queue: controller.queue,
    async start() {
      removals = monitored.map(({ resource, informer }) => informer.addEventHandler(builder.handlerFor(resource)));
      await controller.start();
    },
    async stop() {
      for (const remove of removals.splice(0)) remove();
      await controller.stop();
    },
    enqueue: (key) => controller.enqueue(key),
    enqueueAfter: (key, ms) => controller.enqueueAfter(key, ms),
  } satisfies Controller;
}
