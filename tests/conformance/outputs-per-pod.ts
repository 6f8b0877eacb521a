/**
 * Step outputs kept per pod, as Testkube keeps them (each parallel worker and each service
 * instance is a pod of its own there): two workers write the same output at once and each reads
 * back its own; a service writes into its outputs path all the time and never shows up in a
 * step's directory (its own does not exist: Testkube prepares none for a service's nameless
 * step); the workflow's outputs survive the workers. Run by the process and Docker conformance
 * tests.
 */
import assert from "node:assert/strict";
import { type Finished, step } from "./agent-fixture.ts";

/** The spec (indented for workflowDoc); `image` puts every unit in that image. */
export const outputsPerPod = (image?: string) => {
  const defaults = image === undefined ? "" : `  container:\n    image: ${image}\n`;
  const serviceImage = image === undefined ? "" : `      image: ${image}\n`;
  return `${defaults}  services:
    writer:
${serviceImage}      shell: |
        [ -d /testkube/outputs ] || echo "service has no outputs directory"
        while true; do echo service > /testkube/outputs/leak 2>/dev/null || true; sleep 0.1; done
  steps:
  - name: Produce
    shell: echo main > /testkube/outputs/who; sleep 0.5
  - name: Check
    shell: |
      echo "produce wrote {{ step.produce.outputs.who }}"
      sleep 0.5
      echo "outputs here: [$(ls -A /testkube/outputs | tr '\\n' ' ')]"
  - name: Workers
    parallel:
      count: 2
      steps:
      - name: Write
        shell: echo "w{{ index }}" > /testkube/outputs/who; sleep 1
      - name: Read
        shell: echo "worker {{ index }} read {{ step.write.outputs.who }}"
  - name: After workers
    shell: echo "produce still wrote {{ step.produce.outputs.who }}"
`;
};

/** What the run of `outputsPerPod` must show. */
export const assertOutputsPerPod = (run: Finished) => {
  assert.equal(run.status, "passed", run.log);
  for (const name of ["Produce", "Check", "Workers", "After workers"])
    assert.equal(step(run, name).status, "passed", `${name}\n${run.log}`);
  assert.equal(run.steps.filter((s) => s.name === "Read" && s.status === "passed").length, 2, run.log);
  assert.match(run.log, /produce wrote main/);
  // The step's directory is fresh and the service never writes into it.
  assert.match(run.log, /outputs here: \[\]/);
  assert.match(run.log, /service has no outputs directory/);
  // Each worker reads what its own Write step wrote, though both wrote at the same time.
  assert.match(run.log, /worker 0 read w0/);
  assert.match(run.log, /worker 1 read w1/);
  assert.match(run.log, /produce still wrote main/);
};
