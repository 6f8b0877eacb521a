/** The workflow onboarding applies and runs: quick, with output worth watching, always green. */
export const SAMPLE_WORKFLOW_NAME = "hello";

export const SAMPLE_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: hello
  labels:
    sample: "true"
spec:
  steps:
    - name: Say hello
      shell: |
        echo "Hello from $(hostname)"
        for i in 1 2 3; do echo "line $i"; sleep 0.2; done
    - name: Check the workspace
      run:
        command: [sh, -c]
        args: ["pwd && ls -la"]
`;
