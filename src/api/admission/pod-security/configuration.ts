// The cluster-wide Pod Security settings: the policy of namespaces without labels and the
// exemptions (upstream's PodSecurityConfiguration). kubelite's default enforces baseline and warns
// and audits against restricted; the system namespaces are exempt. `--pod-security-default` replaces
// the default policy: "enforce=baseline,warn=restricted,audit=restricted" (a mode not named is
// privileged; "enforce-version=v1.30" pins a version).
import { LATEST, LEVELS, MODES, type Mode, parseLevel, parseVersion, type Policy } from "./policy.js";

export interface PodSecurityConfiguration {
  defaults: Policy;
  exemptions: {
    namespaces: readonly string[];
    /** Users whose requests are not checked (upstream exempts none by default). */
    usernames: readonly string[];
  };
}

export const DEFAULT_POD_SECURITY_POLICY = "enforce=baseline,audit=restricted,warn=restricted";

export function defaultPodSecurityConfiguration(policy: string = DEFAULT_POD_SECURITY_POLICY): PodSecurityConfiguration {
  return { defaults: parsePodSecurityDefault(policy), exemptions: { namespaces: ["kube-system", "kube-public", "kube-node-lease"], usernames: [] } };
}

/** Parses `--pod-security-default`; throws an Error naming the bad entry. */
export function parsePodSecurityDefault(text: string): Policy {
  const policy: Policy = { enforce: { level: "privileged", version: LATEST }, audit: { level: "privileged", version: LATEST }, warn: { level: "privileged", version: LATEST } };
  for (const entry of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [key = "", value = ""] = entry.split("=", 2).map((s) => s.trim());
    const [mode, suffix] = key.split("-", 2) as [string, string | undefined];
    if (!(MODES as readonly string[]).includes(mode) || (suffix !== undefined && suffix !== "version")) {
      throw new Error(`invalid pod security default "${entry}": the key must be one of ${MODES.join(", ")} (or MODE-version)`);
    }
    if (suffix === "version") {
      const version = parseVersion(value);
      if (!version) throw new Error(`invalid pod security default "${entry}": the version must be "latest" or "v1.x"`);
      policy[mode as Mode].version = version;
    } else {
      const level = parseLevel(value);
      if (!level) throw new Error(`invalid pod security default "${entry}": the level must be one of ${LEVELS.join(", ")}`);
      policy[mode as Mode].level = level;
    }
  }
  return policy;
}
