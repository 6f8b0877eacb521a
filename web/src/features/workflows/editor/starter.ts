/** The document a new workflow starts from: small, valid, and showing config and steps. */
export const STARTER_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: my-tests
spec:
  config:
    greeting:
      type: string
      default: hello
  steps:
    - name: Say hello
      shell: echo "{{ config.greeting }} from $(hostname)"
    - name: Run the tests
      shell: |
        echo "running tests"
`;
