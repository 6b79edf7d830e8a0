import { Input, Typography } from "antd";
import type { SyntheticEvent } from "react";
import { type Issue, type Side, sideLabel } from "./common";

/** Where the caret was last in an expression field: catalogue items are inserted there. */
export interface Caret {
  side: Side;
  pos: number;
}

/**
 * An expression field (分子 or 分母): a monospaced text area that reports its caret so that a click
 * in the catalogue inserts the name where the user was typing.
 */
export function FormulaInput({
  side,
  value,
  onChange,
  onCaret,
  placeholder,
  id,
}: {
  side: Side;
  value?: string;
  onChange?: (v: string) => void;
  onCaret: (c: Caret) => void;
  placeholder?: string;
  id?: string;
}) {
  const track = (e: SyntheticEvent<HTMLTextAreaElement>) =>
    onCaret({ side, pos: e.currentTarget.selectionStart ?? e.currentTarget.value.length });
  return (
    <Input.TextArea
      id={id}
      value={value}
      onChange={(e) => {
        onChange?.(e.target.value);
        track(e);
      }}
      onSelect={track}
      onFocus={track}
      onKeyUp={track}
      onClick={track}
      placeholder={placeholder}
      autoSize={{ minRows: 2, maxRows: 5 }}
      spellCheck={false}
      style={{ fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" }}
      data-testid={`formula-${side}`}
    />
  );
}

/**
 * The issues of one side, each shown on the text that was checked with the offending characters
 * marked, and "分子第 N 个字符起：…" in words (positions count from 1 for people; the API's from 0).
 */
export function FormulaIssues({ side, text, issues }: { side: Side; text: string; issues: Issue[] }) {
  if (!issues.length) return null;
  return (
    <div data-testid={`formula-issues-${side}`} style={{ marginBottom: 8 }}>
      {issues.map((i) => {
        const start = Math.max(0, Math.min(i.start, text.length));
        const end = Math.max(start, Math.min(i.end, text.length));
        return (
          <div key={`${i.start}-${i.end}-${i.message}`} style={{ marginTop: 4 }}>
            <div data-testid="formula-issue">
              {sideLabel[side]}第 {i.start + 1} 个字符起：{i.message}
            </div>
            <Typography.Text
              code
              style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12 }}
              data-testid="formula-issue-at"
            >
              {text.slice(0, start)}
              <mark
                style={{
                  background: "#ffccc7",
                  color: "#a8071a",
                  borderBottom: "2px solid #ff4d4f",
                  padding: 0,
                }}
              >
                {end > start ? text.slice(start, end) : "␣"}
              </mark>
              {text.slice(end)}
            </Typography.Text>
          </div>
        );
      })}
    </div>
  );
}
