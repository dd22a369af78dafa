// core/v1 Pod: discovery facts (po, category all, status subresource), SetDefaults_Pod, the create
// status (Pending, QoS class, SchedulingGated condition) and default not-ready/unreachable
// tolerations, spec validation and the update rules, upstream's pod printer and the field
// selectors kubelets and schedulers list pods by.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { validatePodImages } from "./container-validation.js";
import { addDefaultTolerations } from "./default-tolerations.js";
import { path } from "./field-path.js";
import { recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { defaultPod } from "./pod-defaults.js";
import { podQOSClass } from "./pod-qos.js";
import { validatePodSpec } from "./pod-spec-validation.js";
import { podPrintState, readinessGates } from "./pod-status.js";
import { podSpecOf, validatePodSpecUpdate } from "./pod-update.js";
import { applyPodResize, validatePodResize } from "./pod-resize.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";
import { booleanField, stringField } from "./selectable-fields.js";

export function podResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "Pod",
    plural: "pods",
    singular: "pod",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    partialSubresources: { resize: { apply: applyPodResize, validate: validatePodResize } },
    defaults: (obj) => defaultPod(obj),
    prepareForCreate: preparePod,
    validate: validatePod,
    table: { columns: podColumns(), cells: podCells },
    fieldSelectors: {
      "spec.nodeName": stringField("spec", "nodeName"),
      "spec.restartPolicy": stringField("spec", "restartPolicy"),
      "spec.schedulerName": stringField("spec", "schedulerName"),
      "spec.serviceAccountName": stringField("spec", "serviceAccountName"),
      "spec.hostNetwork": booleanField("spec", "hostNetwork"),
      "status.phase": stringField("status", "phase"),
      "status.podIP": (obj) => stringAt(recordsAt(obj, "status", "podIPs")[0], "ip") ?? "",
      "status.nominatedNodeName": stringField("status", "nominatedNodeName"),
    },
  };
}

/**
 * upstream podStrategy.PrepareForCreate: a new pod is Pending with its QoS class; gated pods say so.
 * Also the DefaultTolerationSeconds admission plugin, until there is an admission chain.
 */
function preparePod(pod: KubeObject): void {
  addDefaultTolerations(pod);
  const spec = podSpecOf(pod);
  const status: JsonRecord = { phase: "Pending", qosClass: podQOSClass(spec) };
  if (recordsAt(spec, "schedulingGates").length > 0) {
    status.conditions = [{ type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" }];
  }
  pod.status = status;
}

function validatePod(pod: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "resize" && context.old) return validatePodResize(pod, context.old);
  if (context.subresource !== undefined) return [];
  const spec = podSpecOf(pod);
  const errs = validatePodSpec(spec, path("spec"));
  if (context.old) return [...errs, ...validatePodSpecUpdate(spec, podSpecOf(context.old))];
  errs.push(...validatePodImages(recordsAt(spec, "containers"), path("spec", "containers")));
  errs.push(...validatePodImages(recordsAt(spec, "initContainers"), path("spec", "initContainers")));
  if (recordsAt(spec, "ephemeralContainers").length > 0) errs.push(forbiddenField("spec.ephemeralContainers", "cannot be set on create"));
  if (stringAt(spec, "nodeName") && recordsAt(spec, "schedulingGates").length > 0) {
    errs.push(forbiddenField("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
  }
  return errs;
}

function podColumns() {
  return [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    ageColumn(),
    wideColumn("IP", "string", fieldDoc("core.v1.PodStatus", "podIP")),
    wideColumn("Node", "string", fieldDoc("core.v1.PodSpec", "nodeName")),
    wideColumn("Nominated Node", "string", fieldDoc("core.v1.PodStatus", "nominatedNodeName")),
    wideColumn("Readiness Gates", "string", fieldDoc("core.v1.PodSpec", "readinessGates")),
  ];
}

function podCells(pod: KubeObject, now: Date): unknown[] {
  const state = podPrintState(pod, now);
  const ip = stringAt(recordsAt(pod, "status", "podIPs")[0], "ip") || "<none>";
  const node = stringAt(pod, "spec", "nodeName") || "<none>";
  const nominated = stringAt(pod, "status", "nominatedNodeName") || "<none>";
  return [nameOf(pod), state.ready, state.status, state.restarts, ageOf(pod, now), ip, node, nominated, readinessGates(pod)];
}
