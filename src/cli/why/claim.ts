// `kubelite why pvc/NAME`: why a PersistentVolumeClaim is not Bound, from what the PV binder, the
// provisioner and the scheduler already report: its class (missing, or waiting for a consumer),
// the node chosen for it, the provisioner named on it, and its latest Warning or Normal event; a
// Bound claim names its volume and the node the volume is pinned to.
import { recordsAt, stringAt } from "../../api/resources/object-fields.js";
import { CORE_V1 } from "../../client/client.js";
import type { HttpClient } from "../../client/http.js";
import { ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, STORAGE_CLASSES } from "../../controllers/persistentvolume/volume-objects.js";
import { getOrUndefined } from "./traffic.js";

export async function explainClaim(client: HttpClient, name: string, namespace: string): Promise<string[]> {
  const claim = await getOrUndefined(client, "persistentvolumeclaims", namespace, name);
  if (!claim) return [`pvc/${name} does not exist in namespace ${namespace}`];
  const phase = stringAt(claim, "status", "phase") ?? "Pending";
  const lines = [`pvc/${name} (namespace ${namespace}) is ${phase}${claim.metadata?.deletionTimestamp ? ", being deleted (kept while a pod uses it)" : ""}`];
  const volumeName = stringAt(claim, "spec", "volumeName");
  if (phase === "Bound" && volumeName) {
    const volume = await getOrUndefined(client, "persistentvolumes", undefined, volumeName);
    const pinned = recordsAt(volume, "spec", "nodeAffinity", "required", "nodeSelectorTerms")[0];
    const node = recordsAt(pinned, "matchExpressions")[0]?.values as string[] | undefined;
    lines.push(`  bound to persistentvolume ${volumeName}${node?.[0] ? `, on node ${node[0]}: its pods run there` : ""}`);
    return lines;
  }
  const className = stringAt(claim, "spec", "storageClassName") ?? "";
  if (!className) lines.push("  it names no StorageClass: only a matching PersistentVolume of no class can bind it");
  else {
    const storageClass = await client.get(STORAGE_CLASSES, undefined, className).catch(() => undefined);
    if (!storageClass) lines.push(`  its StorageClass ${className} does not exist: create it, or change the claim's class (a new claim)`);
    else if (stringAt(storageClass, "volumeBindingMode") === "WaitForFirstConsumer" && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) {
      lines.push(`  its StorageClass ${className} waits for a pod using the claim to be scheduled (WaitForFirstConsumer)`);
    }
  }
  const node = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
  const provisioner = claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER];
  if (node) lines.push(`  the scheduler chose node ${node} for it`);
  if (provisioner) lines.push(`  waiting for provisioner ${provisioner} to create its volume`);
  const latest = await latestEvent(client, namespace, name);
  if (latest) lines.push(`  last event: ${latest}`);
  return lines;
}

async function latestEvent(client: HttpClient, namespace: string, name: string): Promise<string | undefined> {
  const list = await client.list(CORE_V1("events"), { namespace, fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${name}` }).catch(() => ({ items: [] }));
  const when = (e: object) => stringAt(e, "lastTimestamp") ?? stringAt(e, "eventTime") ?? "";
  const event = [...list.items].sort((a, b) => (when(a) < when(b) ? 1 : -1))[0];
  return event ? `${stringAt(event, "type") ?? ""} ${stringAt(event, "reason") ?? ""}: ${stringAt(event, "message") ?? ""}` : undefined;
}
