// Which owners a stateful pod's claim carries under persistentVolumeClaimRetentionPolicy (upstream
// stateful_set_utils.go, KEP-1847 with the 1.32 controller-reference rules), so that the garbage
// collector deletes claims exactly when the policy says:
//   whenScaled Retain, whenDeleted Retain: no owner of ours;
//   whenScaled Retain, whenDeleted Delete: the set as controller;
//   whenScaled Delete, whenDeleted Retain: the pod as controller once the pod is scaled away;
//   whenScaled Delete, whenDeleted Delete: the set, or the pod once it is scaled away.
// A claim referring to a set or pod of the same name with another uid (a previous incarnation) is
// left alone, and so is one controlled by someone else (its references to us are removed). Pure.
import type { OwnerReference } from "../../api/resource.js";
import { newControllerRef } from "../controller-ref.js";
import { podInOrdinalRange } from "./identity.js";
import { POD_KIND, STS_API_VERSION, STS_KIND, retentionPolicyOf, type Claim, type StatefulPod, type StatefulSet } from "./objects.js";

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function setOwner(set: StatefulSet): Owner {
  return { apiVersion: STS_API_VERSION, kind: STS_KIND, name: set.metadata.name ?? "", uid: set.metadata.uid ?? "" };
}

function podOwner(pod: StatefulPod): Owner {
  return { apiVersion: "v1", kind: POD_KIND, name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
}

/** matchesRef: same kind, group-version and name (whatever the uid). */
function matchesRef(ref: OwnerReference, owner: Owner): boolean {
  return ref.apiVersion === owner.apiVersion && ref.kind === owner.kind && ref.name === owner.name;
}

function refsOf(claim: Claim): OwnerReference[] {
  return claim.metadata.ownerReferences ?? [];
}

/** hasOwnerRef: the claim refers to the owner's uid (controller or not). */
function hasOwnerRef(claim: Claim, owner: Owner): boolean {
  return owner.uid !== "" && refsOf(claim).some((ref) => ref.uid === owner.uid);
}

/** hasStaleOwnerRef: a reference to this kind and name with another uid (a previous incarnation). */
export function hasStaleOwnerRef(claim: Claim, owner: Owner): boolean {
  const ref = refsOf(claim).find((r) => matchesRef(r, owner));
  return ref !== undefined && ref.uid !== owner.uid;
}

/** hasUnexpectedController: under a deleting policy, a controller that is neither the set nor the pod. */
export function hasUnexpectedController(claim: Claim, set: StatefulSet, pod: StatefulPod): boolean {
  const policy = retentionPolicyOf(set);
  if (policy.whenScaled === "Retain" && policy.whenDeleted === "Retain") return false;
  const owners = [setOwner(set), podOwner(pod)];
  return refsOf(claim).some((ref) => {
    const ours = owners.find((owner) => matchesRef(ref, owner));
    if (ours) return ref.uid !== ours.uid;
    return ref.controller === true;
  });
}

/** hasNonControllerOwner: the set or pod owns the claim without being its controller (the pre-1.32 form). */
function hasNonControllerOwner(claim: Claim, set: StatefulSet, pod: StatefulPod): boolean {
  return refsOf(claim).some((ref) => (ref.uid === set.metadata.uid || ref.uid === pod.metadata.uid) && ref.controller !== true);
}

/** The owners the policy wants: [set owns it, pod owns it]. */
function wantedOwners(set: StatefulSet, pod: StatefulPod): [boolean, boolean] {
  const policy = retentionPolicyOf(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const deleteWhenScaled = policy.whenScaled === "Delete";
  const deleteWhenDeleted = policy.whenDeleted === "Delete";
  const podOwns = deleteWhenScaled && scaledDown;
  const setOwns = deleteWhenDeleted && !podOwns;
  return [setOwns, podOwns];
}

/** isClaimOwnerUpToDate: the claim's references to the set and pod are what the policy wants. */
export function isClaimOwnerUpToDate(claim: Claim, set: StatefulSet, pod: StatefulPod): boolean {
  const setRef = setOwner(set);
  const podRef = podOwner(pod);
  // Managed by a previous, presumably deleted, incarnation: not ours to touch.
  if (hasStaleOwnerRef(claim, setRef) || hasStaleOwnerRef(claim, podRef)) return true;
  // Someone else controls it: up to date once our references are gone.
  if (hasUnexpectedController(claim, set, pod)) return !hasOwnerRef(claim, setRef) && !hasOwnerRef(claim, podRef);
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const [setOwns, podOwns] = wantedOwners(set, pod);
  return hasOwnerRef(claim, setRef) === setOwns && hasOwnerRef(claim, podRef) === podOwns;
}

/** updateClaimOwnerRefForSetAndPod: the claim's owner references as the policy wants them (a new list). */
export function claimOwnerRefsForPolicy(claim: Claim, set: StatefulSet, pod: StatefulPod): OwnerReference[] {
  const setRef = setOwner(set);
  const podRef = podOwner(pod);
  const unexpectedController = hasUnexpectedController(claim, set, pod);
  // Our references are scrubbed first, then added back as controllers where the policy says.
  const refs = refsOf(claim).filter((ref) => !matchesRef(ref, setRef) && !matchesRef(ref, podRef));
  if (unexpectedController) return refs;
  const [setOwns, podOwns] = wantedOwners(set, pod);
  if (setOwns) refs.push(newControllerRef(set, setRef.apiVersion, setRef.kind));
  if (podOwns) refs.push(newControllerRef(pod, podRef.apiVersion, podRef.kind));
  return refs;
}
