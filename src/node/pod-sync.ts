// One pod on this node, brought to its desired state: the kubelet's SyncPod. Level-triggered and
// idempotent: each call reads what the runtime has for the pod, does the next step (sandbox, init
// containers in order with sidecars kept running, then the main containers, restarts under the
// restart policy with CrashLoopBackOff), and returns the status to report and when to look again.
// A pod being deleted (or past activeDeadlineSeconds) is stopped gracefully instead.
import type { Duplex } from "node:stream";
import type { EventRecorder } from "../client/event-recorder.js";
import type { Logger } from "../log.js";
import { ContainerBackoff } from "./container-backoff.js";
import type { ConfigSource } from "./container-env.js";
import type { ContainerProbes } from "./container-probes.js";
import { containerResources, gracePeriodSeconds, startContainer } from "./container-start.js";
import { podDnsConfig, type PodDnsSettings } from "./pod-dns.js";
import { stopPod } from "./pod-termination.js";
import { podStatus, type ContainerView } from "./pod-status.js";
import { isSidecar, podDescription, type ContainerSpec, type Pod, type PodStatusJson } from "./pod-types.js";
import { CONTAINER_NAME_LABEL, podSandboxes, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, type ContainerResources, type ContainerStatus, type Runtime, type SandboxStatus } from "./runtime/runtime.js";
import type { PodVolumes } from "./volumes.js";

export interface PodSyncOptions {
  runtime: Runtime;
  probes: ContainerProbes;
  config: ConfigSource;
  volumes: PodVolumes;
  recorder: EventRecorder;
  hostIP: string;
  nodeAllocatable: Record<string, string>;
  /** Where the pods' log directories live (upstream: /var/log/pods). */
  logRoot: string;
  /** Resolver settings for pods' resolv.conf; without them pods get no resolver configuration. */
  dns?: PodDnsSettings;
  dial(ip: string, port: number): Promise<Duplex>;
  now(): number;
  log: Logger;
}

export interface SyncResult {
  status: PodStatusJson;
  /** Look at the pod again after this long (a back-off ends, a deadline passes). */
  requeueAfterMs?: number;
  /** Every container has stopped and the sandbox is gone: a deleted pod can be removed from the API. */
  stopped: boolean;
}

export class PodSyncer {
  private readonly backoff = new ContainerBackoff();

  constructor(private readonly options: PodSyncOptions) {}

  async sync(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? "";
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp || phase === "Succeeded" || phase === "Failed" || this.pastDeadline(pod)) return this.terminate(pod);
    const sandbox = await this.ensureSandbox(pod);
    const runs = groupRuns(await this.options.runtime.listContainers({ sandboxId: sandbox.id }));
    const podIPs = pod.spec.hostNetwork ? [this.options.hostIP] : sandbox.ips;
    const waits: number[] = [];
    const views = new Map<string, ContainerView>();
    const view = (spec: ContainerSpec): ContainerView => {
      let v = views.get(spec.name);
      if (!v) {
        const containerRuns = runs.get(spec.name) ?? [];
        const latest = containerRuns.at(-1);
        const running = latest?.state === "running";
        v = {
          spec,
          runs: containerRuns,
          ready: running && this.options.probes.isReady(uid, spec.name, latest!.id),
          started: running && this.options.probes.isStarted(uid, spec.name, latest!.id),
        };
        views.set(spec.name, v);
      }
      return v;
    };
    const step = async (spec: ContainerSpec): Promise<void> => {
      const wait = await this.syncContainer(pod, sandbox.id, podIPs, view(spec));
      if (wait !== undefined) waits.push(wait);
    };
    let initialized = true;
    for (const spec of pod.spec.initContainers ?? []) {
      await step(spec);
      const v = view(spec);
      const latest = v.runs.at(-1);
      const done = isSidecar(spec) ? v.started || (latest?.state === "running" && this.options.probes.isStarted(uid, spec.name, latest.id)) : latest?.state === "exited" && latest.exitCode === 0;
      if (!done) {
        initialized = false;
        break;
      }
    }
    if (initialized) for (const spec of pod.spec.containers) await step(spec);
    // Views changed by starting containers are re-read so the status shows what now runs.
    const fresh = groupRuns(await this.options.runtime.listContainers({ sandboxId: sandbox.id }));
    const finalView = (spec: ContainerSpec): ContainerView => {
      const v = view(spec);
      const containerRuns = fresh.get(spec.name) ?? v.runs;
      const latest = containerRuns.at(-1);
      const running = latest?.state === "running";
      const waiting = latest && v.runs.at(-1)?.id !== latest.id ? undefined : v.waiting;
      return { ...v, runs: containerRuns, waiting, ready: running && this.options.probes.isReady(uid, spec.name, latest!.id), started: running && this.options.probes.isStarted(uid, spec.name, latest!.id) };
    };
    const status = podStatus({
      pod,
      sandbox,
      hostIP: this.options.hostIP,
      initContainers: (pod.spec.initContainers ?? []).map(finalView),
      containers: pod.spec.containers.map(finalView),
      runtimeName: this.options.runtime.name,
      terminating: false,
      now: new Date(this.options.now()),
    });
    const deadline = this.deadlineInMs(pod);
    if (deadline !== undefined) waits.push(deadline);
    return { status, requeueAfterMs: waits.length ? Math.max(50, Math.min(...waits)) : undefined, stopped: false };
  }

  /** Stops the pod's containers gracefully and reports its final state. */
  async terminate(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? "";
    const sandboxes = await podSandboxes(this.options.runtime, uid);
    const grace = pod.metadata?.deletionTimestamp ? gracePeriodSeconds(pod) : (pod.spec.terminationGracePeriodSeconds ?? 30);
    await stopPod(pod, sandboxes, grace, { runtime: this.options.runtime, recorder: this.options.recorder, dial: this.options.dial, hostIP: this.options.hostIP });
    this.options.probes.removePod(uid);
    const sandbox = sandboxes.at(-1);
    const runs = sandbox ? groupRuns(await this.options.runtime.listContainers({ sandboxId: sandbox.id })) : new Map<string, ContainerStatus[]>();
    const views = (specs: ContainerSpec[]) => specs.map((spec): ContainerView => ({ spec, runs: runs.get(spec.name) ?? [], ready: false, started: false }));
    const status = podStatus({
      pod,
      sandbox: sandbox ? { ...sandbox, state: "notready" } : undefined,
      hostIP: this.options.hostIP,
      initContainers: views(pod.spec.initContainers ?? []),
      containers: views(pod.spec.containers),
      runtimeName: this.options.runtime.name,
      terminating: true,
      now: new Date(this.options.now()),
    });
    if (this.pastDeadline(pod) && status.phase !== "Succeeded") {
      status.phase = "Failed";
      status.reason = "DeadlineExceeded";
      status.message = `Pod was active on the node longer than the specified deadline`;
    }
    // A pod that already reached a final phase keeps it: upstream never moves a pod out of Succeeded or Failed.
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") status.phase = pod.status.phase;
    return { status, stopped: true };
  }

  /** Rewrites configMap, secret and downward API files whose sources changed. */
  async refreshVolumes(pod: Pod): Promise<void> {
    if (pod.metadata?.deletionTimestamp) return;
    await this.options.volumes.refresh(pod);
  }

  /** Removes everything the runtime holds for a pod that no longer exists. */
  async removePod(uid: string): Promise<void> {
    for (const sandbox of await podSandboxes(this.options.runtime, uid)) {
      await this.options.runtime.stopPodSandbox(sandbox.id);
      for (const container of await this.options.runtime.listContainers({ sandboxId: sandbox.id })) await this.options.runtime.removeContainer(container.id);
      await this.options.runtime.removePodSandbox(sandbox.id);
    }
    this.options.probes.removePod(uid);
    await this.options.volumes.tearDown(uid);
    this.backoff.forget(`${uid}/`);
  }

  /** The pod's ready sandbox; a sandbox that died (its network is gone) is replaced, as upstream does, with every container restarted in the new one. */
  private async ensureSandbox(pod: Pod): Promise<SandboxStatus> {
    const uid = pod.metadata?.uid ?? "";
    const existing = await podSandboxes(this.options.runtime, uid);
    const ready = existing.find((s) => s.state === "ready");
    if (ready) return ready;
    for (const stale of existing) await this.options.runtime.stopPodSandbox(stale.id);
    const ports = pod.spec.containers.flatMap((c) => c.ports ?? []).filter((p) => p.hostPort);
    const namespace = pod.metadata?.namespace ?? "";
    const hostname = pod.spec.hostname ?? (pod.metadata?.name ?? "").slice(0, 63);
    const { dns } = this.options;
    const id = await this.options.runtime.runPodSandbox({
      podUid: uid,
      podName: pod.metadata?.name ?? "",
      podNamespace: namespace,
      attempt: (existing.at(-1)?.attempt ?? -1) + 1,
      hostname,
      hostNetwork: pod.spec.hostNetwork ?? false,
      ...(dns ? { dns: podDnsConfig({ ...pod.spec, namespace }, dns) } : {}),
      hosts: {
        // upstream: hostname.subdomain.namespace.svc.domain when the pod has a subdomain.
        fqdn: pod.spec.subdomain && dns ? `${hostname}.${pod.spec.subdomain}.${namespace}.svc.${dns.clusterDomain}` : undefined,
        aliases: (pod.spec.hostAliases ?? []).map((a) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })),
      },
      portMappings: ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: (p.protocol ?? "TCP") as "TCP" })),
      logDirectory: `${this.options.logRoot}/${pod.metadata?.namespace}_${pod.metadata?.name}_${uid}`,
      labels: { [POD_UID_LABEL]: uid, [POD_NAME_LABEL]: pod.metadata?.name ?? "", [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? "" },
    });
    const status = await this.options.runtime.podSandboxStatus(id);
    if (!status) throw new Error(`sandbox ${id} vanished right after it was created`);
    return status;
  }

  /** Starts or restarts one container when due; returns milliseconds until it should be looked at again. */
  private async syncContainer(pod: Pod, sandboxId: string, podIPs: string[], view: ContainerView): Promise<number | undefined> {
    const uid = pod.metadata?.uid ?? "";
    const { spec } = view;
    const latest = view.runs.at(-1);
    if (latest?.state === "running" || latest?.state === "created") {
      // Probing is idempotent per run: this also picks up containers adopted after an agent restart.
      if (latest.state === "running") this.options.probes.add({ pod, podIP: podIPs[0] ?? this.options.hostIP, spec, containerId: latest.id, startedAt: latest.startedAt ?? latest.createdAt });
      if (latest.state === "running" && this.options.probes.isUnhealthy(uid, spec.name, latest.id)) {
        void this.options.recorder.event(pod, "Normal", "Killing", `Container ${spec.name} failed liveness probe, will be restarted`);
        this.options.probes.remove(uid, spec.name);
        await this.options.runtime.stopContainer(latest.id, pod.spec.terminationGracePeriodSeconds ?? 30);
        return 0;
      }
      // In-place resize (pods/resize): new cgroup limits for the running container, no restart.
      const desired = containerResources(spec);
      if (latest.state === "running" && !sameResources(desired, latest.resources)) await this.options.runtime.updateContainerResources(latest.id, desired);
      return undefined;
    }
    if (latest?.state === "exited") {
      if (!this.shouldRestart(pod, spec, latest)) return undefined;
      const key = `${uid}/${spec.name}`;
      const delay = this.backoff.restartDelay(key, (latest.finishedAt ?? latest.createdAt).getTime(), this.options.now());
      if (delay > 0) {
        const seconds = Math.round(this.backoff.currentDelayMs(key) / 1000);
        view.waiting = { reason: "CrashLoopBackOff", message: `back-off ${seconds}s restarting failed container=${spec.name} pod=${podDescription(pod)}` };
        void this.options.recorder.event(pod, "Warning", "BackOff", `Back-off restarting failed container ${spec.name} in pod ${podDescription(pod)}`);
        return delay;
      }
    }
    const attempt = latest ? latest.attempt + 1 : 0;
    const mounts = await this.options.volumes.mountsFor(pod, spec);
    if ("error" in mounts) {
      view.waiting = { reason: "CreateContainerConfigError", message: mounts.error };
      void this.options.recorder.event(pod, "Warning", "Failed", `Error: ${mounts.error}`);
      return 5_000;
    }
    const result = await startContainer({
      pod,
      spec,
      attempt,
      sandboxId,
      podIPs,
      hostIP: this.options.hostIP,
      mounts: mounts.mounts,
      runtime: this.options.runtime,
      config: this.options.config,
      recorder: this.options.recorder,
      nodeAllocatable: this.options.nodeAllocatable,
      dial: this.options.dial,
    });
    if (!result.started) {
      view.waiting = { reason: result.reason, message: result.message };
      return 5_000;
    }
    const started = await this.options.runtime.containerStatus(result.containerId);
    this.options.probes.add({ pod, podIP: podIPs[0] ?? this.options.hostIP, spec, containerId: result.containerId, startedAt: started?.startedAt ?? new Date(this.options.now()) });
    // Keep the run before this one (for `logs --previous` and lastState); older ones go, as kubelet's container GC does.
    for (const old of view.runs.slice(0, -1)) await this.options.runtime.removeContainer(old.id);
    return undefined;
  }

  /** restartPolicy (the container's own for sidecars): Always, OnFailure (non-zero exit), Never. */
  private shouldRestart(pod: Pod, spec: ContainerSpec, run: ContainerStatus): boolean {
    const policy = isSidecar(spec) ? "Always" : (pod.spec.restartPolicy ?? "Always");
    const isInit = (pod.spec.initContainers ?? []).some((c) => c.name === spec.name) && !isSidecar(spec);
    if (isInit) return run.exitCode !== 0 && policy !== "Never";
    if (policy === "Always") return true;
    if (policy === "OnFailure") return run.exitCode !== 0;
    return false;
  }

  private pastDeadline(pod: Pod): boolean {
    const left = this.deadlineInMs(pod);
    return left !== undefined && left <= 0;
  }

  /** Milliseconds until activeDeadlineSeconds runs out, counted from the pod's start. */
  private deadlineInMs(pod: Pod): number | undefined {
    const seconds = pod.spec.activeDeadlineSeconds;
    const start = pod.status?.startTime;
    if (seconds === undefined || !start) return undefined;
    return Date.parse(start) + seconds * 1000 - this.options.now();
  }
}

/** A sandbox's containers by name, oldest run first. */
function groupRuns(containers: ContainerStatus[]): Map<string, ContainerStatus[]> {
  const runs = new Map<string, ContainerStatus[]>();
  for (const c of containers) {
    const name = c.labels[CONTAINER_NAME_LABEL] ?? c.name;
    const list = runs.get(name) ?? [];
    list.push(c);
    runs.set(name, list);
  }
  for (const list of runs.values()) list.sort((a, b) => a.attempt - b.attempt);
  return runs;
}

function sameResources(a: ContainerResources, b: ContainerResources): boolean {
  return a.cpuLimitMillis === b.cpuLimitMillis && a.cpuRequestMillis === b.cpuRequestMillis && a.memoryLimitBytes === b.memoryLimitBytes;
}
