// Pod sandboxes of the process runtime. A sandbox has no process of its own: it is a record, the
// pod's network (PodNetwork.setUp; the node's own network for hostNetwork pods), and as root a
// UTS namespace holding the pod's hostname and a pod-level cgroup parenting its containers.
import path from "node:path";
import type { Launcher } from "../../launcher/launcher.js";
import type { PodNetwork } from "../../network/pod-network.js";
import type { SandboxConfig, SandboxStatus } from "../runtime.js";
import type { Cgroups } from "./cgroups.js";
import { createUtsNamespace, removeNamespaceFile } from "./namespaces.js";
import { writePodFiles } from "./pod-files.js";
import type { SandboxRecord } from "./records.js";
import type { StateStore } from "./state-store.js";

export interface SandboxesOptions {
  store: StateStore;
  network: PodNetwork;
  cgroups?: Cgroups;
  cgroupRoot: string;
  privileged: boolean;
  newId: () => string;
  launcher: Launcher;
}

export class Sandboxes {
  private readonly records = new Map<string, SandboxRecord>();

  constructor(private readonly options: SandboxesOptions) {}

  adopt(records: SandboxRecord[]): void {
    for (const record of records) this.records.set(record.id, record);
  }

  get(id: string): SandboxRecord {
    const record = this.records.get(id);
    if (!record) throw new Error(`pod sandbox ${id} not found`);
    return record;
  }

  async run(config: SandboxConfig): Promise<string> {
    const { store, network, cgroups } = this.options;
    const id = this.options.newId();
    // Recorded before anything is set up, so a crash half-way leaves something to clean up.
    const record: SandboxRecord = { id, config, state: "notready", createdAt: new Date().toISOString(), ips: [] };
    store.writeSandbox(record);
    this.records.set(id, record);
    try {
      if (config.hostNetwork) {
        record.ips = [network.nodeIP];
      } else {
        const attachment = await network.setUp({ sandboxId: id, podName: config.podName, podNamespace: config.podNamespace, podUid: config.podUid, portMappings: config.portMappings });
        record.ips = attachment.ips;
        record.netnsPath = attachment.netnsPath;
      }
      record.files = writePodFiles(store.sandboxDir(id), config, record.ips);
      if (this.options.privileged && !config.hostNetwork) {
        record.utsPath = path.join(store.sandboxDir(id), "uts");
        await createUtsNamespace(this.options.launcher, record.utsPath, config.hostname);
      }
      if (cgroups) {
        record.cgroup = cgroups.under(`${this.options.cgroupRoot}/pod-${id}`);
        cgroups.create(record.cgroup);
      }
      record.state = "ready";
      store.writeSandbox(record);
      return id;
    } catch (error) {
      await this.remove(id).catch(() => undefined);
      throw error;
    }
  }

  /** Releases the network; the caller has stopped the containers. Idempotent. */
  async stop(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record) return;
    if (!record.config.hostNetwork) await this.options.network.tearDown(id);
    if (record.state !== "notready") {
      record.state = "notready";
      this.options.store.writeSandbox(record);
    }
  }

  /** Removes what the sandbox holds; the caller has removed its containers. */
  async remove(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record) return;
    await this.stop(id);
    if (record.utsPath) await removeNamespaceFile(this.options.launcher, record.utsPath);
    if (record.cgroup) await this.options.cgroups?.remove(record.cgroup);
    this.options.store.removeSandbox(id);
    this.records.delete(id);
  }

  status(id: string): SandboxStatus | undefined {
    const record = this.records.get(id);
    return record && toStatus(record);
  }

  list(): SandboxStatus[] {
    return [...this.records.values()].map(toStatus);
  }
}

function toStatus(record: SandboxRecord): SandboxStatus {
  return {
    id: record.id,
    state: record.state,
    ips: record.ips,
    createdAt: new Date(record.createdAt),
    labels: record.config.labels,
    attempt: record.config.attempt,
  };
}
