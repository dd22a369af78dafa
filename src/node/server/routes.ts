// The kubelet's streaming paths: /containerLogs/{ns}/{pod}/{container}, /exec/{ns}/{pod}/{container},
// /attach/{ns}/{pod}/{container}, /portForward/{ns}/{pod}, /healthz; and the stats paths:
// /stats/summary, /metrics/resource and the agent's own /metrics.

export type NodeRoute =
  | { kind: "healthz" }
  | { kind: "statsSummary" | "metrics" | "resourceMetrics" }
  | { kind: "containerLogs" | "exec" | "attach"; namespace: string; pod: string; container: string }
  | { kind: "portForward"; namespace: string; pod: string };

export function parseNodeRoute(pathname: string): NodeRoute | undefined {
  const parts = pathname.split("/").filter((p) => p !== "").map(safeDecode);
  if (parts.some((p) => p === undefined)) return undefined;
  const [head, namespace, pod, container, ...rest] = parts as string[];
  if (head === "healthz" && parts.length === 1) return { kind: "healthz" };
  if (head === "metrics" && parts.length === 1) return { kind: "metrics" };
  if (head === "metrics" && namespace === "resource" && parts.length === 2) return { kind: "resourceMetrics" };
  if (head === "stats" && namespace === "summary" && parts.length === 2) return { kind: "statsSummary" };
  if (rest.length > 0 || !namespace || !pod) return undefined;
  if ((head === "containerLogs" || head === "exec" || head === "attach") && container) return { kind: head, namespace, pod, container };
  if (head === "portForward" && !container) return { kind: "portForward", namespace, pod };
  return undefined;
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** "true"/"1" as the kubelet reads boolean query parameters. */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "true" || value === "1";
}
