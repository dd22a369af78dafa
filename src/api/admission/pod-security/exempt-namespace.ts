// upstream's exemptNamespaceWarning: labelling an exempt namespace with a policy other than the
// default is allowed but has no effect, and the writer is told so.
import { fullyPrivileged, levelLabel, levelVersionString, MODES, type Policy, sameLevelVersion, versionLabel } from "./policy.js";

export function exemptNamespaceWarning(namespace: string, policy: Policy, defaults: Policy, labels: Readonly<Record<string, string>>): string {
  if (fullyPrivileged(policy) || MODES.every((mode) => sameLevelVersion(policy[mode], defaults[mode]))) return "";
  const parts = MODES.filter((mode) => policy[mode].level !== "privileged" && (levelLabel(mode) in labels || versionLabel(mode) in labels)).map(
    (mode) => `${mode}=${levelVersionString(policy[mode])}`,
  );
  return `namespace ${JSON.stringify(namespace)} is exempt from Pod Security, and the policy (${parts.join(", ")}) will be ignored`;
}
