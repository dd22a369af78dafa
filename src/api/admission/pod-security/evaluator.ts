// Runs the checks of one level and version against a pod, as upstream's policy.checkRegistry: the
// checks of a level at a version are those of that level and below, each at its newest
// implementation not newer than the version, minus baseline checks a restricted one overrides;
// baseline checks come first, each group in id order. "latest" and versions newer than the server's
// mean the server's own version (v1.32).
import { BASELINE_CHECKS } from "./baseline-checks.js";
import type { Check, CheckPod, CheckResult, PodMetadata, PodSpec } from "./check.js";
import type { LevelVersion } from "./policy.js";
import { RESTRICTED_CHECKS } from "./restricted-checks.js";

/** The Kubernetes minor version whose checks "latest" means: kubelite serves v1.32. */
export const LATEST_MINOR = 32;

/** What a pod did wrong at one level: upstream's AggregateCheckResult. */
export interface Verdict {
  allowed: boolean;
  reasons: string[];
  details: string[];
}

/** `privileged (container "c" must not ...), hostPath volumes (volume "v")`, as upstream's ForbiddenDetail. */
export function forbiddenDetail(verdict: Verdict): string {
  return verdict.reasons.map((reason, i) => (verdict.details[i] ? `${reason} (${verdict.details[i]})` : reason)).join(", ");
}

/** Only the reasons: how upstream summarises existing pods when a namespace's level changes. */
export function forbiddenReason(verdict: Verdict): string {
  return verdict.reasons.join(", ");
}

export class PodSecurityEvaluator {
  private readonly checksByKey = new Map<string, CheckPod[]>();

  constructor(private readonly checks: readonly Check[] = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS]) {}

  /**
   * `results`: what checks already said of this same pod (evaluating it at several levels runs the
   * checks they share once); filled in as checks run.
   */
  evaluate(lv: LevelVersion, metadata: PodMetadata, spec: PodSpec, results?: Map<CheckPod, CheckResult>): Verdict {
    const verdict: Verdict = { allowed: true, reasons: [], details: [] };
    if (lv.level === "privileged") return verdict;
    for (const checkPod of this.checksFor(lv)) {
      let result = results?.get(checkPod);
      if (!result) {
        result = checkPod(metadata, spec);
        results?.set(checkPod, result);
      }
      if (result.allowed) continue;
      verdict.allowed = false;
      verdict.reasons.push(result.forbiddenReason || "unknown forbidden reason");
      verdict.details.push(result.forbiddenDetail ?? "");
    }
    return verdict;
  }

  private checksFor(lv: LevelVersion): CheckPod[] {
    const minor = lv.version.latest ? LATEST_MINOR : Math.min(lv.version.minor, LATEST_MINOR);
    const key = `${lv.level}:${minor}`;
    let found = this.checksByKey.get(key);
    if (!found) {
      found = this.select(lv.level === "restricted", minor);
      this.checksByKey.set(key, found);
    }
    return found;
  }

  private select(restricted: boolean, minor: number): CheckPod[] {
    const applicable = (level: Check["level"]) =>
      this.checks
        .filter((check) => check.level === level)
        .map((check) => ({ id: check.id, version: [...check.versions].reverse().find((v) => v.minimumMinor <= minor) }))
        .filter((c): c is { id: string; version: NonNullable<typeof c.version> } => c.version !== undefined)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const restrictedChecks = restricted ? applicable("restricted") : [];
    const overridden = new Set(restrictedChecks.flatMap((c) => c.version.overrides ?? []));
    const baseline = applicable("baseline").filter((c) => !overridden.has(c.id));
    return [...baseline, ...restrictedChecks].map((c) => c.version.checkPod);
  }
}
