/**
 * The dashboard's one button: a variant (how loud) and a size, mapped to the sheet's classes in one
 * place so no feature spells them by hand. `ButtonLink` is a router link that looks like a button,
 * built with the router's `createLink` so its `to` and `params` stay type-checked.
 */
import { createLink } from "@tanstack/react-router";
import { type AnchorHTMLAttributes, type ButtonHTMLAttributes, forwardRef } from "react";

/** `secondary` is the default; `danger` for destructive actions; `ghost` for quiet ones. */
export type ButtonVariant = "secondary" | "primary" | "danger" | "ghost" | "ghost-danger";
export type ButtonSize = "normal" | "small";

export interface ButtonStyle {
  variant?: ButtonVariant;
  size?: ButtonSize;
}

const VARIANT_CLASS: Record<ButtonVariant, string> = {
  secondary: "",
  primary: "button-primary",
  danger: "button-danger",
  ghost: "button-ghost",
  "ghost-danger": "button-ghost button-danger",
};

/** The class list for a button-looking element; exported for elements the kit does not wrap. */
export function buttonClass({ variant = "secondary", size = "normal" }: ButtonStyle = {}, extra?: string) {
  return ["button", VARIANT_CLASS[variant], size === "small" ? "button-small" : "", extra ?? ""]
    .filter(Boolean)
    .join(" ");
}

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & ButtonStyle;

/** A `<button>` that defaults to `type="button"`, so it never submits a form by accident. */
export function Button({ variant, size, className, type = "button", ...rest }: ButtonProps) {
  return <button type={type} className={buttonClass({ variant, size }, className)} {...rest} />;
}

/** A plain anchor styled as a button (downloads, external links). */
export const ButtonAnchor = forwardRef<
  HTMLAnchorElement,
  AnchorHTMLAttributes<HTMLAnchorElement> & ButtonStyle
>(function ButtonAnchor({ variant, size, className, ...rest }, ref) {
  return <a ref={ref} className={buttonClass({ variant, size }, className)} {...rest} />;
});

/** A router link styled as a button: `<ButtonLink to="/orgs/$org" params={{ org }}>`. */
export const ButtonLink = createLink(ButtonAnchor);
