// The ServiceAccount admission plugin (upstream plugin/pkg/admission/serviceaccount): a new pod
// without spec.serviceAccountName runs as `default`; the account must exist (403 otherwise); and
// unless the pod or the account sets automountServiceAccountToken: false, the pod gets the
// projected volume kube-api-access-<5 random> (a bound token refreshed by the node, the cluster CA
// from the kube-root-ca.crt ConfigMap, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every init container and container that does
// not mount something there already. Mirror pods are left alone, as upstream.
import { setTimeout as sleep } from "node:timers/promises";
import { CachedObjects } from "../cached-objects.js";
import { StatusError } from "../errors.js";
import { randomSuffix } from "../registry.js";
import type { KubeObject } from "../resource.js";
import type { AdmissionPlugin, AdmissionRequest } from "./admission.js";
import type { AdmissionDeps } from "./index.js";

export const DEFAULT_SERVICE_ACCOUNT = "default";
export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const VOLUME_PREFIX = "kube-api-access-";
/** The kubelet's default token lifetime for this volume; the API extends such pod tokens (see token-request.ts). */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
/** The default account is created by a controller just after its namespace: upstream looks again, ten times. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

interface Container {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  volumes?: ({ name: string } & Record<string, unknown>)[];
  containers?: Container[];
  initContainers?: Container[];
}

export interface ServiceAccountPluginOptions {
  random?: () => number;
  /** Pause between looks for the default account (upstream: 100-200 ms). */
  retryDelayMs?: number;
}

export function serviceAccountAdmission(deps: AdmissionDeps, options: ServiceAccountPluginOptions = {}): AdmissionPlugin {
  const objects = new CachedObjects(deps.api.cache);
  const random = options.random ?? Math.random;
  const retryDelayMs = options.retryDelayMs ?? 100 + Math.floor(random() * 100);

  async function lookUp(namespace: string, name: string): Promise<KubeObject | undefined> {
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs);
      const found = await objects.get("serviceaccounts", namespace, name);
      if (found) return found;
    }
    return undefined;
  }

  return {
    name: "ServiceAccount",
    async admit(request: AdmissionRequest): Promise<boolean> {
      const pod = request.object;
      if (request.operation !== "CREATE" || request.subresource || request.def.group !== "" || request.def.kind !== "Pod" || !pod) return false;
      if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return false;
      const spec = (pod.spec ??= {}) as PodSpec;
      spec.serviceAccountName ||= DEFAULT_SERVICE_ACCOUNT;
      spec.serviceAccount = spec.serviceAccountName;
      const namespace = request.namespace ?? "";
      const account = await lookUp(namespace, spec.serviceAccountName);
      if (!account) {
        const name = request.name || pod.metadata?.generateName || "";
        const message = `pods "${name}" is forbidden: error looking up service account ${namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`;
        throw new StatusError(403, "Forbidden", message, { name, kind: "pods" });
      }
      if (shouldAutomount(account, spec)) mountServiceAccountToken(spec, random);
      return true;
    },
  };
}

/** The pod's own setting wins over the account's; both default to true. */
function shouldAutomount(account: KubeObject, spec: PodSpec): boolean {
  if (spec.automountServiceAccountToken !== undefined) return spec.automountServiceAccountToken;
  return (account as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !== false;
}

function mountServiceAccountToken(spec: PodSpec, random: () => number): void {
  const existing = spec.volumes?.find((v) => v.name.startsWith(VOLUME_PREFIX));
  const volumeName = existing?.name ?? VOLUME_PREFIX + randomSuffix(5, random);
  let needsVolume = false;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const mounts = (container.volumeMounts ??= []);
    if (mounts.some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    mounts.push({ name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
    needsVolume = true;
  }
  if (!existing && needsVolume) (spec.volumes ??= []).push({ name: volumeName, projected: apiAccessVolume() });
}

/** Upstream's TokenVolumeSource, with the defaults written out (admission runs after defaulting). */
function apiAccessVolume(): Record<string, unknown> {
  return {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  };
}
