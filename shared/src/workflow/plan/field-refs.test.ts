import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import { fieldValue, parseQuantity, podFields, resourceValue } from "./field-refs.ts";
import { planWorkflow } from "./plan.ts";

const workflow = (spec: string) => {
  const parsed = parseWorkflowText(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: w}\nspec:\n${spec}`,
  );
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.workflow;
};

describe("valueFrom field and resource references", () => {
  const doc = workflow(`  pod:
    serviceAccountName: tester
    labels: {app: shop}
    annotations: {team: qa}
  steps:
  - run:
      resources: {limits: {cpu: 1500m, memory: 256Mi}, requests: {cpu: 250m}}
      env:
      - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
      - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
      - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
      - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
      - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['team']"}}}
      - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
      - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
      - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
      - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
      - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
      - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
      - {name: MEM_REQ, valueFrom: {resourceFieldRef: {resource: requests.memory}}}
    shell: env
`);
  const options = {
    execution: { id: "01JEXEC", name: "w-01JEXEC" },
    host: { namespace: "env-1", nodeName: "box", cpus: 8, memoryBytes: 2 ** 33 },
  };

  it("answers the downward API from the execution, spec.pod, the host and the step's resources", () => {
    const plan = planWorkflow(doc, options);
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(plan.steps[0]?.env, {
      POD: "w-01JEXEC",
      NS: "env-1",
      UID: "01JEXEC",
      APP: "shop",
      TEAM: "qa",
      NODE: "box",
      SA: "tester",
      IP: "127.0.0.1",
      CPU: "2",
      CPU_M: "250",
      MEM_MI: "256",
      MEM_REQ: String(256 * 2 ** 20),
    });
  });

  it("refuses in a container runtime the addresses a container only gets when it starts", () => {
    const plan = planWorkflow(doc, { ...options, containers: true });
    assert.deepEqual(
      plan.unsupported.map((u) => [u.path, u.message]),
      [
        [
          "spec.steps[0].run.env[7].valueFrom",
          "env IP: fieldRef status.podIP: a container gets its address when it starts, after its environment is set",
        ],
      ],
    );
  });

  it("refuses what has no counterpart, with the reason", () => {
    const pod = podFields(doc, options);
    assert.deepEqual(fieldValue("spec.priorityClassName", pod), {
      ok: false,
      reason: "fieldRef spec.priorityClassName has no counterpart in an Assay run",
    });
    assert.equal(resourceValue({ resource: "limits.gpu" }, undefined, pod).ok, false);
    assert.equal(resourceValue({ resource: "limits.cpu", divisor: "0" }, undefined, pod).ok, false);
    assert.deepEqual(resourceValue({ resource: "limits.cpu" }, undefined, pod), { ok: true, value: "8" });
    const plan = planWorkflow(
      workflow("  steps:\n  - shell: env\n    run:\n      env: [{name: X, valueFrom: {downwardAPI: {}}}]\n"),
    );
    assert.match(plan.unsupported[0]?.message ?? "", /valueFrom\.downwardAPI is not a Kubernetes source/);
  });

  it("reads Kubernetes quantities", () => {
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity("2"), 2);
    assert.equal(parseQuantity("1Gi"), 2 ** 30);
    assert.equal(parseQuantity("1.5G"), 1.5e9);
    assert.equal(parseQuantity(3), 3);
    assert.equal(parseQuantity("12x"), undefined);
  });
});
