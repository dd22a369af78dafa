// The arithmetic of a rollout (upstream deployment/util): maxSurge and maxUnavailable resolved
// against spec.replicas (percentages: surge rounds up, unavailable rounds down; both zero means one
// unavailable), how far the new ReplicaSet may grow (NewRSNewReplicas), and each ReplicaSet's share
// when a Deployment is scaled in the middle of a rollout (GetProportion).
import { getValueFromIntOrPercent } from "../int-or-percent.js";
import { parseGoInt } from "../parse-int.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { MaxReplicasAnnotation, desiredReplicas, isRollingUpdate, rsReplicas, type Deployment } from "./objects.js";
import { getReplicaCountForReplicaSets } from "./replica-sets.js";

/** ResolveFenceposts: [maxSurge, maxUnavailable] as numbers of pods. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = getValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = getValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1], replicas);
}

/** NewRSNewReplicas: the size the new ReplicaSet may have now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  switch (d.spec.strategy?.type) {
    case "RollingUpdate": {
      const surge = getValueFromIntOrPercent(d.spec.strategy.rollingUpdate?.maxSurge, desiredReplicas(d), true);
      const currentPodCount = getReplicaCountForReplicaSets(allRSs);
      const maxTotalPods = desiredReplicas(d) + surge;
      if (currentPodCount >= maxTotalPods) return rsReplicas(newRS);
      const scaleUpCount = Math.min(maxTotalPods - currentPodCount, desiredReplicas(d) - rsReplicas(newRS));
      return rsReplicas(newRS) + scaleUpCount;
    }
    case "Recreate":
      return desiredReplicas(d);
    default:
      throw new Error(`deployment type ${d.spec.strategy?.type} isn't supported`);
  }
}

/** GetProportion: how many replicas rs gains (or loses) of deploymentReplicasToAdd. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, deploymentReplicasToAdd: number, deploymentReplicasAdded: number): number {
  if (!rs || rsReplicas(rs) === 0 || deploymentReplicasToAdd === 0 || deploymentReplicasToAdd === deploymentReplicasAdded) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = deploymentReplicasToAdd - deploymentReplicasAdded;
  return deploymentReplicasToAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = parseGoInt(rs.metadata.annotations?.[MaxReplicasAnnotation] ?? "");
  // Upstream falls back to the Deployment's status.replicas when the annotation is missing.
  const annotatedReplicas = annotated ?? d.status.replicas ?? 0;
  const newRSsize = (rsReplicas(rs) * deploymentReplicas) / annotatedReplicas;
  if (!Number.isFinite(newRSsize)) return 0;
  return roundHalfAwayFromZero(newRSsize) - rsReplicas(rs);
}

/** Go's math.Round (integer.RoundToInt32). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
