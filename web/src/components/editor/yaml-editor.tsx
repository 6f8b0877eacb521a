/**
 * CodeMirror 6 as a controlled React component for YAML: highlighting, line numbers, history,
 * search, and diagnostics pushed from outside (the shared workflow parser's issues). Tab
 * indents; Escape then Tab moves focus out of the editor (CodeMirror's convention).
 */
import type { FieldIssue } from "@assay/shared";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, type Text } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { type Ref, useEffect, useImperativeHandle, useRef } from "react";

export interface YamlEditorHandle {
  /** Moves the cursor to a 1-based line and column and focuses the editor. */
  goTo(line: number, column?: number): void;
}

/** Document position of a 1-based line/column, clamped into the document. */
export function positionOf(doc: Text, line: number, column = 1): number {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  return Math.min(l.to, l.from + Math.max(0, column - 1));
}

export function toDiagnostics(
  doc: Text,
  issues: FieldIssue[],
  severity: "error" | "warning" = "error",
): Diagnostic[] {
  return issues.map((issue) => {
    const from = positionOf(doc, issue.line ?? 1, issue.column ?? 1);
    const to = Math.max(from, doc.lineAt(from).to);
    return { from, to, severity, message: issue.path ? `${issue.path}: ${issue.message}` : issue.message };
  });
}

export function YamlEditor({
  value,
  onChange,
  issues,
  onSave,
  label,
  ref,
}: {
  value: string;
  onChange: (value: string) => void;
  issues: FieldIssue[];
  onSave: () => void;
  label: string;
  ref?: Ref<YamlEditorHandle>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once; later values sync below
  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          yaml(),
          lintGutter(),
          EditorState.tabSize.of(2),
          keymap.of([
            {
              key: "Mod-s",
              preventDefault: true,
              run: () => {
                callbacks.current.onSave();
                return true;
              },
            },
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
            indentWithTab,
          ]),
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = undefined;
    };
  }, []);

  // Outside changes (the loaded source arriving) replace the document.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (editor) editor.dispatch(setDiagnostics(editor.state, toDiagnostics(editor.state.doc, issues)));
  }, [issues]);

  useImperativeHandle(ref, () => ({
    goTo: (line, column) => {
      const editor = view.current;
      if (!editor) return;
      const pos = positionOf(editor.state.doc, line, column);
      editor.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      editor.focus();
    },
  }));

  return <div ref={host} className="yaml-editor" />;
}
