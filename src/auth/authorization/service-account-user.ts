// Service-account users are named system:serviceaccount:<namespace>:<name> (upstream serviceaccount.MakeUsername).
const PREFIX = "system:serviceaccount:";

export function serviceAccountOf(userName: string): { namespace: string; name: string } | undefined {
  if (!userName.startsWith(PREFIX)) return undefined;
  const [namespace, name, ...rest] = userName.slice(PREFIX.length).split(":");
  return namespace && name && rest.length === 0 ? { namespace, name } : undefined;
}
