import "../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { Button } from "./button.tsx";
import { Dialog } from "./dialog.tsx";

function Harness() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>Delete</Button>
      <Dialog open={open} title="Delete smoke?" onClose={() => setOpen(false)}>
        <p>This cannot be undone.</p>
      </Dialog>
    </>
  );
}

test("a Dialog shows its content only while open, named by its title, and closes from its button", () => {
  render(<Harness />);
  assert.equal(screen.queryByText("This cannot be undone."), null);
  fireEvent.click(screen.getByRole("button", { name: "Delete" }));
  const dialog = screen.getByRole("dialog", { name: "Delete smoke?" });
  assert.equal((dialog as HTMLDialogElement).open, true);
  screen.getByText("This cannot be undone.");
  fireEvent.click(screen.getByRole("button", { name: "Close" }));
  assert.equal(screen.queryByText("This cannot be undone."), null);
  assert.equal((dialog as HTMLDialogElement).open, false);
});
