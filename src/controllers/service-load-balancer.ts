// The built-in load balancer's status (k3s ServiceLB's role): every LoadBalancer Service without a
// loadBalancerClass is served by the node proxies on the host's 127.0.0.1 at its own ports, so its
// status.loadBalancer.ingress is [{ip: 127.0.0.1, ipMode: VIP}]. A Service that stops being a
// LoadBalancer gets its ingress cleared again, as upstream's service controller does.
import { StatusError } from "../api/errors.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, objectKey, splitKey, type Controller } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { KubeObject } from "../api/resource.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const SERVICES = CORE_V1("services");
export const LOAD_BALANCER_INGRESS = [{ ip: "127.0.0.1", ipMode: "VIP" }];

export const serviceLoadBalancerController: ControllerRegistration = {
  name: "service-lb",
  component: "service-lb-controller",
  create: createServiceLoadBalancerController,
};

function createServiceLoadBalancerController(ctx: ControllerContext): Controller {
  const services = ctx.informers.informerFor(SERVICES);
  return defineController({
    name: "service-lb",
    workers: 2,
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: services, keys: (svc) => (JSON.stringify(ingressOf(svc)) !== JSON.stringify(wantedIngress(svc)) ? [objectKey(svc)] : []) }],
    reconcile: (key) => syncLoadBalancerStatus(ctx, services, key),
  });
}

async function syncLoadBalancerStatus(ctx: ControllerContext, services: Informer, key: string): Promise<void> {
  const service = services.get(key);
  if (!service || service.metadata?.deletionTimestamp) return;
  const wanted = wantedIngress(service);
  if (JSON.stringify(ingressOf(service)) === JSON.stringify(wanted)) return;
  const { namespace, name } = splitKey(key);
  try {
    await ctx.client.patch(SERVICES, namespace, name, "merge", { metadata: { uid: service.metadata?.uid }, status: { loadBalancer: { ingress: wanted.length > 0 ? wanted : null } } }, { subresource: "status" });
  } catch (err) {
    if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
    throw err;
  }
}

function wantedIngress(service: KubeObject): { ip: string; ipMode: string }[] {
  const spec = (service.spec ?? {}) as { type?: string; loadBalancerClass?: string };
  return spec.type === "LoadBalancer" && !spec.loadBalancerClass ? LOAD_BALANCER_INGRESS : [];
}

function ingressOf(service: KubeObject): unknown[] {
  return ((service.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress ?? []) as unknown[];
}
