/**
 * Webhooks loaded on first use: the management service, the payload templates, the Testkube
 * document reader and the delivery code (~18 KB) are imported on the first webhook call or job,
 * since most API requests touch no webhook. The lifecycle's observer (emitter.ts) stays eager.
 */
import { lazyMethods, loadOnce } from "../lazy.ts";
import type { createWebhooks, Webhooks } from "./index.ts";

export function lazyWebhooks(deps: Parameters<typeof createWebhooks>[0]): Webhooks {
  const webhooks = loadOnce(async () => (await import("./index.ts")).createWebhooks(deps));
  return {
    service: lazyMethods(
      {
        create: true,
        apply: true,
        list: true,
        get: true,
        update: true,
        delete: true,
        deliveries: true,
        redeliver: true,
      },
      async () => (await webhooks()).service,
    ),
    eventsJob: async (job) => (await webhooks()).eventsJob(job),
    deliveryJob: async (job) => (await webhooks()).deliveryJob(job),
  };
}
