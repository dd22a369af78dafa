// The Job's pod writes (upstream RealPodControl as the Job controller calls it): create a pod from
// the template with an explicit generateName (indexed pods are "<job>-<index>-"), delete a pod,
// and patch one (to remove the tracking finalizer). Creates and deletes record the events users see
// in `kubectl describe job`: SuccessfulCreate "Created pod: x", FailedCreate "Error creating: ...",
// SuccessfulDelete "Deleted pod: x", FailedDelete "Error deleting: ...".
import { CORE_V1, type Client } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import { newControllerRef } from "../controller-ref.js";
import { messageOf } from "../error-message.js";
import { FailedCreate, PodControl, SuccessfulCreate, isNamespaceTerminating, podFromTemplate } from "../pod-control.js";
import type { PodTemplate } from "../pods.js";
import type { Job } from "./objects.js";

const PODS = CORE_V1("pods");

export class JobPodControl {
  private readonly podControl: PodControl;

  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {
    this.podControl = new PodControl(client, recorder);
  }

  /** CreatePodsWithGenerateName: one pod of the Job from template; records the event either way. */
  async createPod(job: Job, template: PodTemplate, generateName: string): Promise<void> {
    const pod = podFromTemplate(template, job, newControllerRef(job, "batch/v1", "Job"));
    if (pod.metadata) pod.metadata.generateName = generateName;
    let name: string;
    try {
      name = (await this.client.create(PODS, job.metadata.namespace, pod)).metadata?.name ?? "";
    } catch (err) {
      if (!isNamespaceTerminating(err)) await this.recorder.event(job, "Warning", FailedCreate, `Error creating: ${messageOf(err)}`);
      throw err;
    }
    await this.recorder.event(job, "Normal", SuccessfulCreate, `Created pod: ${name}`);
  }

  /** DeletePod: a pod already gone rethrows the 404 without an event. */
  deletePod(job: Job, name: string): Promise<void> {
    return this.podControl.deletePod(job, job.metadata.namespace ?? "", name);
  }

  /** PatchPod: a strategic merge patch of the pod. */
  async patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
    await this.client.patch(PODS, namespace, name, "strategic", patch);
  }
}
