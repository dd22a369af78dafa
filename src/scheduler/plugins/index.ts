// The in-tree plugin registry and the default profile (upstream plugins/registry.go and
// apis/config/v1 getDefaultPlugins, v1.32, without DRA, image and volume plugins other than VolumeBinding). A plugin is one
// file exporting its name and factory, listed here once; a repeated name is an error.
import type { PluginFactory, Profile } from "../framework.js";
import type { Registry } from "../framework-runtime.js";
import { DEFAULT_BINDER, newDefaultBinder } from "./default-binder.js";
import { DEFAULT_PREEMPTION, newDefaultPreemption } from "./default-preemption.js";
import { INTER_POD_AFFINITY, newInterPodAffinity } from "./inter-pod-affinity.js";
import { NODE_AFFINITY, newNodeAffinity } from "./node-affinity.js";
import { NODE_NAME, newNodeName } from "./node-name.js";
import { NODE_PORTS, newNodePorts } from "./node-ports.js";
import { NODE_RESOURCES_BALANCED_ALLOCATION, newNodeResourcesBalancedAllocation } from "./node-resources-balanced-allocation.js";
import { NODE_RESOURCES_FIT, newNodeResourcesFit } from "./node-resources-fit.js";
import { NODE_UNSCHEDULABLE, newNodeUnschedulable } from "./node-unschedulable.js";
import { newPodTopologySpread, POD_TOPOLOGY_SPREAD } from "./pod-topology-spread.js";
import { newTaintToleration, TAINT_TOLERATION } from "./taint-toleration.js";
import { newVolumeBinding, VOLUME_BINDING } from "./volume-binding.js";

/** A registry from [name, factory] pairs; throws on a repeated name (upstream Registry.Register). */
export function newRegistry(entries: readonly (readonly [string, PluginFactory])[]): Registry {
  const registry = new Map<string, PluginFactory>();
  for (const [name, factory] of entries) {
    if (registry.has(name)) throw new Error(`a plugin named ${name} already exists`);
    registry.set(name, factory);
  }
  return registry;
}

/** A registry with more plugins than another (out-of-tree plugins); repeated names are an error. */
export function mergeRegistries(base: Registry, extra: readonly (readonly [string, PluginFactory])[]): Registry {
  return newRegistry([...base, ...extra]);
}

export const IN_TREE_PLUGINS: readonly (readonly [string, PluginFactory])[] = [
  [NODE_UNSCHEDULABLE, newNodeUnschedulable],
  [NODE_NAME, newNodeName],
  [TAINT_TOLERATION, newTaintToleration],
  [NODE_AFFINITY, newNodeAffinity],
  [NODE_PORTS, newNodePorts],
  [NODE_RESOURCES_FIT, newNodeResourcesFit],
  [VOLUME_BINDING, newVolumeBinding],
  [POD_TOPOLOGY_SPREAD, newPodTopologySpread],
  [INTER_POD_AFFINITY, newInterPodAffinity],
  [DEFAULT_PREEMPTION, newDefaultPreemption],
  [NODE_RESOURCES_BALANCED_ALLOCATION, newNodeResourcesBalancedAllocation],
  [DEFAULT_BINDER, newDefaultBinder],
];

export function inTreeRegistry(): Registry {
  return newRegistry(IN_TREE_PLUGINS);
}

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** upstream's default MultiPoint plugins in their order, with their score weights. */
export function defaultProfile(schedulerName = DEFAULT_SCHEDULER_NAME): Profile {
  return {
    schedulerName,
    plugins: [
      { name: NODE_UNSCHEDULABLE },
      { name: NODE_NAME },
      { name: TAINT_TOLERATION, weight: 3 },
      { name: NODE_AFFINITY, weight: 2 },
      { name: NODE_PORTS },
      { name: NODE_RESOURCES_FIT, weight: 1 },
      { name: VOLUME_BINDING },
      { name: POD_TOPOLOGY_SPREAD, weight: 2 },
      { name: INTER_POD_AFFINITY, weight: 2 },
      { name: DEFAULT_PREEMPTION },
      { name: NODE_RESOURCES_BALANCED_ALLOCATION, weight: 1 },
      { name: DEFAULT_BINDER },
    ],
  };
}
