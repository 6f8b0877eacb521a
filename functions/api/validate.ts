/** Input parsing for routes: zod failures become `invalid_argument` with the field paths. */
import { AppError } from "@assay/shared";
import type { z } from "zod";

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
  const first = issues[0];
  throw new AppError("invalid_argument", `${first?.path}: ${first?.message}`, { issues });
}

/** Reads a JSON body; an empty body is `{}`; malformed JSON is a 400 naming the body. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_argument", "body: malformed JSON", {
      issues: [{ path: "body", message: "malformed JSON" }],
    });
  }
}
