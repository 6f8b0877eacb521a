import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { looksLikeJUnit, parseJUnit } from "./junit.ts";

const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3" time="0.052" timestamp="2024-05-01T10:00:00" hostname="h"><testcase classname="tests.test_math" name="test_add" time="0.001" /><testcase classname="tests.test_math" name="test_div" time="0.002"><failure message="ZeroDivisionError: division by zero">def test_div():
&gt;       1 / 0
E       ZeroDivisionError: division by zero</failure></testcase><testcase classname="tests.test_math" name="test_skip" time="0.000"><skipped type="pytest.skip" message="not today">tests/test_math.py:9: not today</skipped></testcase></testsuite></testsuites>`;

const JEST = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.2">
  <testsuite name="sum.test.js" errors="0" failures="1" skipped="0" timestamp="2024-05-01T10:00:00" time="0.5" tests="2">
    <testcase classname="sum adds" name="sum adds 1 + 2" time="0.002"></testcase>
    <testcase classname="sum fails" name="sum fails" time="0.01">
      <failure>Error: expect(received).toBe(expected)
    at Object.&lt;anonymous&gt; (sum.test.js:7:18)</failure>
    </testcase>
  </testsuite>
</testsuites>`;

const SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.example.AppTest" time="0.031" tests="3" errors="1" skipped="0" failures="0">
  <properties><property name="java.version" value="17"/></properties>
  <testcase name="works" classname="com.example.AppTest" time="0.001"/>
  <testcase name="flaky" classname="com.example.AppTest" time="0.002"><flakyFailure message="first try" type="java.lang.AssertionError">stack</flakyFailure></testcase>
  <testcase name="boom" classname="com.example.AppTest" time="0.01"><error message="NPE" type="java.lang.NullPointerException">java.lang.NullPointerException: NPE
	at com.example.AppTest.boom(AppTest.java:20)</error><system-out>out</system-out></testcase>
</testsuite>`;

const PLAYWRIGHT = `<testsuites id="" name="" tests="2" failures="1" skipped="0" errors="0" time="3.5">
<testsuite name="example.spec.ts" timestamp="2024-05-01T10:00:00.000Z" hostname="chromium" tests="2" failures="1" skipped="0" time="3.1" errors="0">
<testcase name="has title" classname="example.spec.ts" time="1.2">
</testcase>
<testcase name="get started link" classname="example.spec.ts" time="1.9">
<failure message="example.spec.ts:12:3 get started link" type="FAILURE">
<![CDATA[  [chromium] › example.spec.ts:12:3 › get started link

    Error: Timed out 5000ms waiting for expect(locator).toBeVisible()
]]>
</failure>
</testcase>
</testsuite>
</testsuites>`;

const GO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1">
	<testsuite name="example.com/pkg" tests="2" failures="1" errors="0" id="0" hostname="h" time="1,234.500" timestamp="2024-05-01T10:00:00Z">
		<properties><property name="go.version" value="go1.22"></property></properties>
		<testcase name="TestOk" classname="example.com/pkg" time="0.000"></testcase>
		<testcase name="TestBad" classname="example.com/pkg" time="0.010"><failure message="Failed" type="">    pkg_test.go:12: want 1, got 2</failure></testcase>
	</testsuite>
</testsuites>`;

const NESTED = `<testsuites><testsuite name="Outer"><testsuite name="Inner"><testcase name="deep" time="0.5"/></testsuite><testcase name="shallow"/></testsuite></testsuites>`;

describe("JUnit report parser", () => {
  test("pytest: failure message and stack, skipped with message", async () => {
    const [suite] = await parseJUnit(PYTEST, "reports/pytest.xml");
    assert.equal(suite?.name, "pytest");
    assert.deepEqual(suite?.counts, { tests: 3, passed: 1, failed: 1, errors: 0, skipped: 1 });
    const div = suite?.cases.find((c) => c.name === "test_div");
    assert.equal(div?.status, "failed");
    assert.equal(div?.message, "ZeroDivisionError: division by zero");
    assert.match(div?.stack ?? "", />\s+1 \/ 0/);
    assert.equal(div?.className, "tests.test_math");
    assert.equal(suite?.cases.find((c) => c.name === "test_skip")?.message, "not today");
    assert.equal(suite?.durationMs, 52);
  });

  test("jest-junit: the <testsuites> name is not a suite level; a body-only failure has a message", async () => {
    const [suite] = await parseJUnit(JEST, "junit.xml");
    assert.equal(suite?.name, "sum.test.js");
    const failed = suite?.cases.find((c) => c.status === "failed");
    assert.equal(failed?.message, "Error: expect(received).toBe(expected)");
    assert.match(failed?.stack ?? "", /sum\.test\.js:7:18/);
  });

  test("surefire: lone <testsuite> root, errors, flakyFailure alone is a pass", async () => {
    const [suite] = await parseJUnit(SUREFIRE, "TEST-com.example.AppTest.xml");
    assert.deepEqual(suite?.counts, { tests: 3, passed: 2, failed: 0, errors: 1, skipped: 0 });
    assert.equal(suite?.cases.find((c) => c.name === "boom")?.message, "NPE");
  });

  test("playwright: CDATA failure bodies", async () => {
    const [suite] = await parseJUnit(PLAYWRIGHT, "results.xml");
    assert.equal(suite?.counts.failed, 1);
    assert.match(suite?.cases[1]?.stack ?? "", /Timed out 5000ms/);
    assert.equal(suite?.cases[0]?.durationMs, 1200);
  });

  test("go-junit-report: properties ignored, times with thousands separators", async () => {
    const [suite] = await parseJUnit(GO, "go.xml");
    assert.equal(suite?.durationMs, 1_234_500);
    assert.equal(suite?.cases[1]?.message, "Failed");
  });

  test("nested suites are flattened with their path", async () => {
    const suites = await parseJUnit(NESTED, "n.xml");
    assert.deepEqual(
      suites.map((s) => [s.name, s.cases.map((c) => c.name)]),
      [
        ["Outer", ["shallow"]],
        ["Outer › Inner", ["deep"]],
      ],
    );
  });

  test("malformed XML and non-JUnit documents throw readable errors; sniffing", async () => {
    await assert.rejects(parseJUnit("<testsuite><testcase></testsuite>", "bad.xml"), /not well-formed XML/);
    await assert.rejects(parseJUnit("<project/>", "pom.xml"), /no <testsuites>/);
    assert.equal(looksLikeJUnit(new TextEncoder().encode(PYTEST)), true);
    assert.equal(looksLikeJUnit(new TextEncoder().encode("<project/>")), false);
  });
});
