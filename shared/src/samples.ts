/**
 * The sample workflow local mode installs and onboarding runs: quick, always green, and
 * exercising what a first look should show: live output with colour, a JUnit report, artifacts.
 */
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
        for i in 1 2 3; do printf '\\033[32mline %s\\033[0m\\n' "$i"; sleep 0.2; done
    - name: Run the tests
      workingDir: /data/reports
      shell: |
        cat > junit.xml <<'XML'
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="sample" tests="3" failures="0" skipped="1" time="0.42">
          <testsuite name="arithmetic" tests="3" failures="0" skipped="1" time="0.42">
            <testcase classname="arithmetic" name="adds" time="0.12"/>
            <testcase classname="arithmetic" name="multiplies" time="0.30"/>
            <testcase classname="arithmetic" name="divides by zero" time="0"><skipped message="not yet"/></testcase>
          </testsuite>
        </testsuites>
        XML
        echo "3 tests, 2 passed, 1 skipped" | tee summary.txt
      artifacts:
        workingDir: /data/reports
        paths:
          - "*"
`;
