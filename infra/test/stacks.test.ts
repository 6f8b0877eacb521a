/**
 * Template assertions for every stack. The suites live beside their stacks
 * (lib/stacks/*.spec.ts); this file synthesizes both stages once and runs them all on the same
 * apps, because a synth costs seconds and a test process per stack would pay it seven times.
 * One stack: `npx node --test --test-name-pattern IngressStack infra/test/stacks.test.ts`.
 */
import { apiStackSuite } from "../lib/stacks/api-stack.spec.ts";
import { dataStackSuite } from "../lib/stacks/data-stack.spec.ts";
import { ingressStackSuite } from "../lib/stacks/ingress-stack.spec.ts";
import { monitoringStackSuite } from "../lib/stacks/monitoring-stack.spec.ts";
import { networkStackSuite } from "../lib/stacks/network-stack.spec.ts";
import { webStackSuite } from "../lib/stacks/web-stack.spec.ts";
import { workersStackSuite } from "../lib/stacks/workers-stack.spec.ts";
import { type Stages, synthesize } from "./fixture.ts";

const stages: Stages = { prod: synthesize("prod"), dev: synthesize("dev") };

for (const suite of [
  dataStackSuite,
  networkStackSuite,
  apiStackSuite,
  workersStackSuite,
  ingressStackSuite,
  webStackSuite,
  monitoringStackSuite,
]) {
  suite(stages);
}
