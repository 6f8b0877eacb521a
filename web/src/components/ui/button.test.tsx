import "../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { fireEvent, render, screen } from "@testing-library/react";
import { renderInRouter } from "../../../test/router.tsx";
import { Button, ButtonLink, buttonClass } from "./button.tsx";

test("a Button is a non-submitting button with its variant's classes", () => {
  let clicks = 0;
  render(
    <form onSubmit={() => assert.fail("the form must not submit")}>
      <Button variant="primary" size="small" onClick={() => clicks++}>
        Run
      </Button>
    </form>,
  );
  const button = screen.getByRole("button", { name: "Run" });
  assert.equal(button.getAttribute("type"), "button");
  assert.equal(button.className, "button button-primary button-small");
  fireEvent.click(button);
  assert.equal(clicks, 1);
});

test("buttonClass maps every variant and size to the sheet's classes", () => {
  assert.equal(buttonClass(), "button");
  assert.equal(buttonClass({ variant: "danger" }), "button button-danger");
  assert.equal(
    buttonClass({ variant: "ghost-danger", size: "small" }),
    "button button-ghost button-danger button-small",
  );
  assert.equal(buttonClass({ variant: "ghost" }, "wide"), "button button-ghost wide");
});

test("a submit Button submits its form", () => {
  let submitted = 0;
  render(
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submitted++;
      }}
    >
      <Button type="submit">Save</Button>
    </form>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  assert.equal(submitted, 1);
});

test("a ButtonLink is a router link with button looks and the route's params filled in", async () => {
  await renderInRouter(
    <ButtonLink
      variant="primary"
      to="/orgs/$org/envs/$env/workflows"
      params={{ org: "acme", env: "prod eu" }}
    >
      Workflows
    </ButtonLink>,
  );
  const link = screen.getByRole("link", { name: "Workflows" });
  assert.equal(link.getAttribute("href"), "/orgs/acme/envs/prod%20eu/workflows");
  assert.equal(link.className, "button button-primary");
});
