/** The document a new template starts from: a reusable step with a config parameter. */
export const STARTER_TEMPLATE = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflowTemplate
metadata:
  name: my-template
spec:
  config:
    greeting:
      type: string
      default: hello
  steps:
    - name: Greet
      shell: echo "{{ config.greeting }} from a template"
`;
