/**
 * A suite for pause and parent/child journeys: `suite` has one `execute` step that starts
 * `ticker`, which prints a line every 0.1 s for five minutes (tests abort it once done).
 */
const doc = (name: string, steps: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: ${name}\nspec:\n  steps:\n${steps}`;

export const TICKER = doc(
  "ticker",
  "    - name: tick\n      shell: for i in $(seq 1 3000); do echo tick $i; sleep 0.1; done\n",
);
export const SUITE = doc(
  "suite",
  "    - name: run the ticker\n      execute:\n        workflows:\n          - name: ticker\n",
);
