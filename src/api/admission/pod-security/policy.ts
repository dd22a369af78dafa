// Pod Security Standards levels and versions, and the policy a namespace's labels select, as
// upstream's k8s.io/pod-security-admission/api: `pod-security.kubernetes.io/<mode>` picks the level
// and `<mode>-version` the version of the checks; unset labels fall back to the cluster default. An
// enforce level set without a warn level raises warn to it (so users see what enforce refuses).
import type { FieldError } from "../../validation/field-errors.js";
import { invalid } from "../../validation/field-errors.js";

export const LEVELS = ["privileged", "baseline", "restricted"] as const;
export type Level = (typeof LEVELS)[number];

/** A minor version of v1 (the checks as of v1.<minor>), or "latest". */
export type Version = { latest: true } | { latest: false; minor: number };
export const LATEST: Version = { latest: true };

export interface LevelVersion {
  level: Level;
  version: Version;
}

export const MODES = ["enforce", "audit", "warn"] as const;
export type Mode = (typeof MODES)[number];

export type Policy = Record<Mode, LevelVersion>;

export const LABEL_PREFIX = "pod-security.kubernetes.io/";
export const levelLabel = (mode: Mode) => `${LABEL_PREFIX}${mode}`;
export const versionLabel = (mode: Mode) => `${LABEL_PREFIX}${mode}-version`;

export function parseLevel(value: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(value) ? (value as Level) : undefined;
}

export function parseVersion(value: string): Version | undefined {
  if (value === "latest") return LATEST;
  const match = /^v1\.(0|[1-9][0-9]*)$/.exec(value);
  return match ? { latest: false, minor: Number(match[1]) } : undefined;
}

export function versionString(version: Version): string {
  return version.latest ? "latest" : `v1.${version.minor}`;
}

/** "baseline:latest", as upstream prints a LevelVersion. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function compareLevels(a: Level, b: Level): number {
  return LEVELS.indexOf(a) - LEVELS.indexOf(b);
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && versionString(a.version) === versionString(b.version);
}

export function fullyPrivileged(policy: Policy): boolean {
  return MODES.every((mode) => policy[mode].level === "privileged");
}

/**
 * The policy the labels select over `defaults`, with the label errors (upstream's PolicyToEvaluate):
 * a bad enforce level enforces restricted, a bad audit or warn level fails open to privileged.
 */
export function policyFromLabels(labels: Readonly<Record<string, string>> | undefined, defaults: Policy): { policy: Policy; errors: FieldError[] } {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  if (!labels) return { policy, errors };
  for (const mode of MODES) {
    const level = labels[levelLabel(mode)];
    if (level !== undefined) {
      const parsed = parseLevel(level);
      if (!parsed) errors.push(invalid(`metadata.labels[${levelLabel(mode)}]`, level, `must be one of ${LEVELS.join(", ")}`));
      policy[mode].level = parsed ?? (mode === "enforce" ? "restricted" : "privileged");
    }
    const version = labels[versionLabel(mode)];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      if (!parsed) errors.push(invalid(`metadata.labels[${versionLabel(mode)}]`, version, `must be "latest" or "v1.x"`));
      policy[mode].version = parsed ?? LATEST;
    }
  }
  const enforceSet = labels[levelLabel("enforce")] !== undefined && parseLevel(labels[levelLabel("enforce")]!) !== undefined;
  if (enforceSet && labels[levelLabel("warn")] === undefined && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    if (labels[versionLabel("warn")] === undefined) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}
