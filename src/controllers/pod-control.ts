// Upstream's RealPodControl (pkg/controller/controller_utils.go): creates a controller's pods from
// its template (GetPodFromTemplate: the template's labels, annotations, finalizers and spec,
// generateName "<owner>-", the controller ownerReference) and deletes them, recording the events
// users see in `kubectl describe`: SuccessfulCreate "Created pod: x", FailedCreate "Error
// creating: ...", SuccessfulDelete "Deleted pod: x", FailedDelete "Error deleting: ...".
import { StatusError } from "../api/errors.js";
import type { KubeObject, OwnerReference } from "../api/resource.js";
import { CORE_V1, type Client } from "../client/client.js";
import type { EventRecorder } from "../client/event-recorder.js";
import { messageOf } from "./error-message.js";
import type { PodTemplate } from "./pods.js";

export const SuccessfulCreate = "SuccessfulCreate";
export const FailedCreate = "FailedCreate";
export const SuccessfulDelete = "SuccessfulDelete";
export const FailedDelete = "FailedDelete";

const PODS = CORE_V1("pods");

export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates one pod of `owner` from its template; records the event either way. */
  async createPod(owner: KubeObject, template: PodTemplate, controllerRef: OwnerReference): Promise<void> {
    const pod = podFromTemplate(template, owner, controllerRef);
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new Error("unable to create pods, no labels");
    let created: KubeObject;
    try {
      created = await this.client.create(PODS, owner.metadata?.namespace, pod);
    } catch (err) {
      if (!isNamespaceTerminating(err)) await this.recorder.event(owner, "Warning", FailedCreate, `Error creating: ${messageOf(err)}`);
      throw err;
    }
    await this.recorder.event(owner, "Normal", SuccessfulCreate, `Created pod: ${created.metadata?.name ?? ""}`);
  }

  /** Deletes a pod of `owner`; a pod already gone rethrows the 404 without an event. */
  async deletePod(owner: KubeObject, namespace: string, name: string): Promise<void> {
    try {
      await this.client.delete(PODS, namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) throw err;
      await this.recorder.event(owner, "Warning", FailedDelete, `Error deleting: ${messageOf(err)}`);
      throw new Error(`unable to delete pods: ${messageOf(err)}`, { cause: err });
    }
    await this.recorder.event(owner, "Normal", SuccessfulDelete, `Deleted pod: ${name}`);
  }
}

/** GetPodFromTemplate: a new pod object (nothing shared with the cached template). */
export function podFromTemplate(template: PodTemplate, owner: KubeObject, controllerRef: OwnerReference): KubeObject {
  const source = structuredClone(template);
  const metadata: NonNullable<KubeObject["metadata"]> = { generateName: `${owner.metadata?.name ?? ""}-`, ownerReferences: [controllerRef] };
  if (source.metadata?.labels) metadata.labels = source.metadata.labels;
  if (source.metadata?.annotations) metadata.annotations = source.metadata.annotations;
  if (source.metadata?.finalizers) metadata.finalizers = source.metadata.finalizers;
  return { apiVersion: "v1", kind: "Pod", metadata, spec: source.spec ?? {} };
}

/** The create failed because the namespace is being terminated (upstream NamespaceTerminatingCause). */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof StatusError)) return false;
  if (err.details?.causes?.some((c) => c.reason === "NamespaceTerminating")) return true;
  return err.code === 403 && err.message.includes("because it is being terminated");
}
