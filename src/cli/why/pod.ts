// `kubelite why pod/NAME`: why a pod is not running as wanted, from what the scheduler and the node
// agent already report: a pending pod's PodScheduled condition (the scheduler's "0/N nodes are
// available: …" with each node's failing filter) and its FailedScheduling events; a waiting or
// crash-looping container's reason, last exit code and reason, and the last lines it logged.
import { recordAt, recordsAt, stringAt, type JsonRecord } from "../../api/resources/object-fields.js";
import { CORE_V1 } from "../../client/client.js";
import type { HttpClient } from "../../client/http.js";
import { getOrUndefined } from "./traffic.js";

const LOG_LINES = 10;

export async function explainPod(client: HttpClient, name: string, namespace: string): Promise<string[]> {
  const pod = await getOrUndefined(client, "pods", namespace, name);
  if (!pod) return [`pod/${name} does not exist in namespace ${namespace}`];
  const status = recordAt(pod, "status") ?? {};
  const phase = stringAt(status, "phase") ?? "Unknown";
  const lines = [`pod/${name} (namespace ${namespace}) is ${phase}${pod.metadata?.deletionTimestamp ? ", being deleted" : ""}`];
  const scheduled = recordsAt(status, "conditions").find((c) => c.type === "PodScheduled");
  if (!stringAt(pod, "spec", "nodeName")) {
    if (scheduled?.status === "False") lines.push(`  not scheduled (${stringAt(scheduled, "reason") ?? "Unschedulable"}): ${stringAt(scheduled, "message") ?? "no message"}`);
    else lines.push("  not scheduled yet: the scheduler has not looked at it (is the scheduler running?)");
    const events = await eventsFor(client, namespace, name, "FailedScheduling");
    if (events[0]) lines.push(`  last FailedScheduling event (${events[0].count}×): ${events[0].message}`);
    return lines;
  }
  lines.push(`  scheduled on node ${stringAt(pod, "spec", "nodeName")}`);
  let healthy = true;
  for (const container of [...recordsAt(status, "initContainerStatuses"), ...recordsAt(status, "containerStatuses")]) {
    const explained = await explainContainer(client, namespace, name, container);
    if (explained.length > 0) healthy = false;
    lines.push(...explained);
  }
  if (healthy && phase === "Running") lines.push("  every container is running" + (recordsAt(status, "conditions").some((c) => c.type === "Ready" && c.status === "True") ? " and the pod is Ready" : ", but the pod is not Ready: a readiness probe is failing (see kubectl describe)"));
  if (phase === "Pending" && recordsAt(status, "containerStatuses").length === 0) lines.push("  the node agent has not reported containers yet: the sandbox or volumes are being set up (see kubectl describe for events)");
  return lines;
}

async function explainContainer(client: HttpClient, namespace: string, pod: string, container: JsonRecord): Promise<string[]> {
  const name = stringAt(container, "name") ?? "";
  const waiting = recordAt(container, "state", "waiting");
  const terminated = recordAt(container, "lastState", "terminated") ?? recordAt(container, "state", "terminated");
  const restarts = Number(container.restartCount ?? 0);
  if (!waiting && !(terminated && restarts > 0) && !recordAt(container, "state", "terminated")) return [];
  const lines = [`  container ${name}: ${waiting ? `waiting (${stringAt(waiting, "reason") ?? "unknown"})${stringAt(waiting, "message") ? `: ${stringAt(waiting, "message")}` : ""}` : "terminated"}, restarted ${restarts} time(s)`];
  if (terminated) {
    lines.push(`    last exit: code ${String(terminated.exitCode)} (${stringAt(terminated, "reason") ?? "no reason"})${stringAt(terminated, "finishedAt") ? ` at ${stringAt(terminated, "finishedAt")}` : ""}${stringAt(terminated, "message") ? `: ${stringAt(terminated, "message")}` : ""}`);
    const logs = await lastLogLines(client, namespace, pod, name, restarts > 0 && !recordAt(container, "state", "terminated"));
    if (logs.length > 0) lines.push(`    its last ${logs.length} log line(s):`, ...logs.map((l) => `      ${l}`));
  }
  return lines;
}

async function lastLogLines(client: HttpClient, namespace: string, pod: string, container: string, previous: boolean): Promise<string[]> {
  const query = new URLSearchParams({ container, tailLines: String(LOG_LINES), ...(previous ? { previous: "true" } : {}) });
  try {
    const text = await client.getText(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`);
    return text.split("\n").filter((l) => l !== "").slice(-LOG_LINES);
  } catch {
    return [];
  }
}

async function eventsFor(client: HttpClient, namespace: string, name: string, reason: string): Promise<{ message: string; count: number }[]> {
  const list = await client.list(CORE_V1("events"), { namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name},reason=${reason}` }).catch(() => ({ items: [] }));
  return list.items
    .map((e) => ({ message: stringAt(e, "message") ?? "", count: Number((e as JsonRecord).count ?? 1), last: stringAt(e, "lastTimestamp") ?? stringAt(e, "eventTime") ?? "" }))
    .sort((a, b) => (a.last < b.last ? 1 : -1));
}
