// DefaultBinder (upstream plugins/defaultbinder): binds through the API's pods/binding subresource,
// via the bindPod function the caller puts in the framework's handle.
import type { CycleState } from "../cycle-state.js";
import type { BindPlugin, Handle, PluginFactory } from "../framework.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";

export const DEFAULT_BINDER = "DefaultBinder";

export class DefaultBinder implements BindPlugin {
  readonly name = DEFAULT_BINDER;

  constructor(private readonly handle: Handle) {}

  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<PluginStatus> {
    const bindPod = this.handle.bindPod;
    if (!bindPod) return Status.error("no bindPod function configured");
    try {
      await bindPod(pod.pod, nodeName);
      return null;
    } catch (e) {
      return Status.error(e instanceof Error ? e.message : String(e));
    }
  }
}

export const newDefaultBinder: PluginFactory = (handle) => new DefaultBinder(handle);
