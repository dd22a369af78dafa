// upstream CollectParams: the objects a binding's paramRef selects for its policy's paramKind, one
// evaluation each. No paramKind or no paramRef: one evaluation with params null. A missing param is
// no evaluation, or a configuration error when parameterNotFoundAction is Deny.
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { selectorOf } from "../../resources/label-selectors.js";
import { recordAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";
import { StatusError } from "../../errors.js";
import type { CompiledPolicy } from "./compile.js";

export async function collectParams(api: ApiContext, policy: CompiledPolicy, binding: KubeObject, requestNamespace: string | undefined): Promise<(KubeObject | null)[]> {
  const paramRef = recordAt(binding, "spec", "paramRef");
  if (!policy.paramKind || !paramRef) return [null];
  const { apiVersion, kind } = policy.paramKind;
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/", 2) as [string, string]) : ["", apiVersion];
  const def = api.discovery.findKind(group, version, kind);
  if (!def) throw new Error(`paramKind kind \`${apiVersion}, Kind=${kind}\` not known`);
  let namespace: string | undefined;
  if (def.namespaced) {
    namespace = stringAt(paramRef, "namespace") || requestNamespace;
    if (!namespace) throw new Error("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources");
  } else if (stringAt(paramRef, "namespace")) {
    throw new Error("paramRef.namespace must not be provided for a cluster-scoped `paramKind`");
  }
  const params = await findParams(api, def, namespace, paramRef);
  if (params.length === 0 && stringAt(paramRef, "parameterNotFoundAction") === "Deny") {
    throw new Error("no params found for policy binding with `Deny` parameterNotFoundAction");
  }
  return params;
}

async function findParams(api: ApiContext, def: NonNullable<ReturnType<ApiContext["discovery"]["findKind"]>>, namespace: string | undefined, paramRef: JsonRecord): Promise<KubeObject[]> {
  const name = stringAt(paramRef, "name");
  if (name !== undefined) {
    try {
      return [await api.registry.get(def, namespace, name)];
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return [];
      throw err;
    }
  }
  const selector = selectorOf(paramRef.selector ?? {});
  if (!selector) throw new Error("paramRef.selector is not a valid label selector");
  const cached = api.cache.get(def.storageResource ?? def.plural).list(namespace, (o) => selector.matches(o.labels));
  return cached.map((o) => JSON.parse(o.json) as KubeObject);
}
