// Which objects each node may read, from the pods bound to it (a simple form of upstream's Node
// authorizer graph): the secrets, config maps, persistent volume claims and service accounts its
// pods use. Fed by the pods watch cache; each pod's references are remembered so a change or a
// delete takes back exactly what it added. Cost is per pod event, never a scan. A pod's JSON is
// parsed only when it is bound to a node (the pods cache indexes spec.nodeName, a pod field
// selector), so the graph asks the watch cache to keep no decoded pods (30,000 hold about 180 MB).
import type { ClusterCache } from "../../api/cluster-cache.js";
import type { KubeObject } from "../../api/resource.js";
import type { CacheEvent, CachedObject } from "../../api/watch-cache.js";
import { storageKey } from "../../api/stored-object.js";

interface PodEntry {
  node: string;
  refs: string[];
}

type Json = Record<string, unknown>;

export class NodeGraph {
  private readonly pods = new Map<string, PodEntry>();
  /** node → reference key ("secrets/ns/name") → how many of its pods use it */
  private readonly refsByNode = new Map<string, Map<string, number>>();
  private stop: (() => void) | undefined;

  attach(cache: ClusterCache): void {
    const pods = cache.get("pods");
    for (const object of pods.list(undefined)) this.put(object);
    this.stop = pods.watch(cache.revision, {
      onEvent: (event: CacheEvent) => (event.type === "DELETED" ? this.remove(event.object.key) : this.put(event.object)),
    });
  }

  detach(): void {
    this.stop?.();
  }

  /** The node the pod (namespace/name) is bound to, if it is bound. */
  nodeOfPod(namespace: string, name: string): string | undefined {
    return this.pods.get(storageKey("pods", namespace, name))?.node;
  }

  /** Whether a pod bound to the node references the object ("secrets", "configmaps", "persistentvolumeclaims", "serviceaccounts"). */
  nodeUses(node: string, resource: string, namespace: string, name: string): boolean {
    return (this.refsByNode.get(node)?.get(`${resource}/${namespace}/${name}`) ?? 0) > 0;
  }

  private put(object: CachedObject): void {
    const node = object.fields["spec.nodeName"] ?? "";
    // What a pod references (volumes, env, pull secrets, service account) cannot change once it
    // exists, so status updates of a bound pod change nothing here.
    if (node !== "" && this.pods.get(object.key)?.node === node) return;
    this.remove(object.key);
    if (node === "") return;
    const pod = object.object ?? (JSON.parse(object.json) as KubeObject);
    const refs = podReferences(object.namespace, (pod as { spec?: Json }).spec ?? {});
    this.pods.set(object.key, { node, refs });
    let counts = this.refsByNode.get(node);
    if (!counts) this.refsByNode.set(node, (counts = new Map()));
    for (const ref of refs) counts.set(ref, (counts.get(ref) ?? 0) + 1);
  }

  private remove(key: string): void {
    const entry = this.pods.get(key);
    if (!entry) return;
    this.pods.delete(key);
    const counts = this.refsByNode.get(entry.node);
    if (!counts) return;
    for (const ref of entry.refs) {
      const n = (counts.get(ref) ?? 0) - 1;
      if (n > 0) counts.set(ref, n);
      else counts.delete(ref);
    }
    if (counts.size === 0) this.refsByNode.delete(entry.node);
  }
}

/** Every object a pod spec names: volumes (incl. projected), env and envFrom, image pull secrets, its service account. */
export function podReferences(namespace: string, spec: Json): string[] {
  const refs = new Set<string>();
  const add = (resource: string, name: unknown) => {
    if (typeof name === "string" && name !== "") refs.add(`${resource}/${namespace}/${name}`);
  };
  add("serviceaccounts", spec.serviceAccountName ?? "default");
  for (const s of records(spec.imagePullSecrets)) add("secrets", s.name);
  for (const volume of records(spec.volumes)) {
    add("secrets", record(volume.secret).secretName);
    add("configmaps", record(volume.configMap).name);
    add("persistentvolumeclaims", record(volume.persistentVolumeClaim).claimName);
    for (const source of records(record(volume.projected).sources)) {
      add("secrets", record(source.secret).name);
      add("configmaps", record(source.configMap).name);
    }
  }
  for (const container of [...records(spec.containers), ...records(spec.initContainers), ...records(spec.ephemeralContainers)]) {
    for (const env of records(container.env)) {
      const from = record(env.valueFrom);
      add("secrets", record(from.secretKeyRef).name);
      add("configmaps", record(from.configMapKeyRef).name);
    }
    for (const from of records(container.envFrom)) {
      add("secrets", record(from.secretRef).name);
      add("configmaps", record(from.configMapRef).name);
    }
  }
  return [...refs];
}

function record(value: unknown): Json {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}
