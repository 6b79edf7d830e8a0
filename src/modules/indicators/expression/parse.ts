/**
 * The indicator expression language: a small, safe language in which city staff write the numerator
 * and denominator of an indicator, e.g.
 *
 *   students(ownership = "private" and stage in ["primary", "junior"])
 *   schools(type != "111" and value("uplink_mbps") >= 1000)
 *
 * Text is tokenised and parsed (Pratt parser) into a tree; nothing is ever evaluated as JavaScript
 * (no eval, no Function). Every node keeps its source position [start, end) so that errors point at
 * the offending characters. Pure: no I/O.
 */

export type Pos = { start: number; end: number };

export type Expr =
  | ({ k: "num"; value: number } & Pos)
  | ({ k: "str"; value: string } & Pos)
  | ({ k: "bool"; value: boolean } & Pos)
  | ({ k: "null" } & Pos)
  | ({ k: "list"; items: Expr[] } & Pos)
  | ({ k: "name"; name: string } & Pos)
  | ({ k: "unary"; op: "-" | "not"; arg: Expr } & Pos)
  | ({ k: "binary"; op: BinaryOp; left: Expr; right: Expr } & Pos)
  | ({ k: "call"; name: string; nameEnd: number; args: Expr[] } & Pos);

export type BinaryOp = "+" | "-" | "*" | "/" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or" | "in";

/** An error in an expression: a Chinese message and where it is (character offsets, end exclusive). */
export interface ExpressionIssue {
  message: string;
  start: number;
  end: number;
}

export class ExpressionError extends Error {
  constructor(readonly issue: ExpressionIssue) {
    super(issue.message);
  }
}

type TokenKind = "num" | "str" | "ident" | "op" | "eof";
interface Token extends Pos {
  kind: TokenKind;
  text: string;
  value?: number | string;
}

/** At most this many characters: an indicator formula is a line or two, not a program. */
export const MAX_EXPRESSION_LENGTH = 2000;
const MAX_DEPTH = 64;

const OPS = [
  "<=",
  ">=",
  "!=",
  "<>",
  "==",
  "≥",
  "≤",
  "≠",
  "+",
  "-",
  "*",
  "/",
  "(",
  ")",
  "[",
  "]",
  ",",
  "=",
  "<",
  ">",
];
const OP_ALIASES: Record<string, string> = { "==": "=", "<>": "!=", "≥": ">=", "≤": "<=", "≠": "!=" };
const QUOTES: Record<string, string> = { '"': '"', "'": "'", "“": "”", "‘": "’" };
const isIdentStart = (c: string) => /[\p{L}_]/u.test(c);
const isIdentPart = (c: string) => /[\p{L}\p{N}_.]/u.test(c);

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      let value = Number(m[0]);
      // "55%" is 55: percentages are written as the number of percent.
      if (src[i] === "%" || src[i] === "％") i++;
      if (!Number.isFinite(value)) throw new ExpressionError({ message: "数字超出范围", start, end: i });
      value = Number(value);
      tokens.push({ kind: "num", text: src.slice(start, i), value, start, end: i });
      continue;
    }
    if (c in QUOTES) {
      const close = QUOTES[c];
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== close) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length)
        throw new ExpressionError({ message: "字符串缺少结束引号", start, end: src.length });
      i = j + 1;
      tokens.push({ kind: "str", text: src.slice(start, i), value: text, start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < src.length && isIdentPart(src[j])) j++;
      tokens.push({ kind: "ident", text: src.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      tokens.push({ kind: "op", text: OP_ALIASES[op] ?? op, start, end: i });
      continue;
    }
    if (c === "&" && src[i + 1] === "&") {
      i += 2;
      tokens.push({ kind: "ident", text: "and", start, end: i });
      continue;
    }
    if (c === "|" && src[i + 1] === "|") {
      i += 2;
      tokens.push({ kind: "ident", text: "or", start, end: i });
      continue;
    }
    throw new ExpressionError({ message: `无法识别的字符“${c}”`, start, end: i + 1 });
  }
  tokens.push({ kind: "eof", text: "", start: src.length, end: src.length });
  return tokens;
}

/** Binding powers (higher binds tighter). */
const INFIX: Record<string, number> = {
  or: 10,
  and: 20,
  "=": 40,
  "!=": 40,
  "<": 40,
  "<=": 40,
  ">": 40,
  ">=": 40,
  in: 40,
  "+": 50,
  "-": 50,
  "*": 60,
  "/": 60,
};
const KEYWORD_OPS = new Set(["and", "or", "in", "not"]);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.text === text;
  }
  private expect(text: string, what: string): Token {
    const t = this.peek();
    if (t.kind === "op" && t.text === text) return this.next();
    throw new ExpressionError({
      message: t.kind === "eof" ? `表达式不完整，缺少${what}` : `此处应为${what}，而不是“${t.text}”`,
      start: t.start,
      end: t.kind === "eof" ? t.end : t.end,
    });
  }

  parseAll(): Expr {
    if (this.peek().kind === "eof") throw new ExpressionError({ message: "表达式为空", start: 0, end: 0 });
    const e = this.expr(0);
    const t = this.peek();
    if (t.kind !== "eof")
      throw new ExpressionError({
        message: `多余的内容“${t.text}”（缺少运算符？）`,
        start: t.start,
        end: t.end,
      });
    return e;
  }

  private infixPower(t: Token): number | undefined {
    if (t.kind === "op") return INFIX[t.text];
    if (t.kind === "ident" && (t.text === "and" || t.text === "or" || t.text === "in")) return INFIX[t.text];
    return undefined;
  }

  expr(minPower: number): Expr {
    if (++this.depth > MAX_DEPTH) {
      const t = this.peek();
      throw new ExpressionError({ message: "表达式嵌套过深", start: t.start, end: t.end });
    }
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const power = this.infixPower(t);
      if (power === undefined || power <= minPower) break;
      this.next();
      // Comparisons do not chain: a < b < c is an error, not (a < b) < c.
      const right = this.expr(power);
      if (power === 40 && this.infixPower(this.peek()) === 40) {
        const u = this.peek();
        throw new ExpressionError({ message: "比较运算不能连用，请用 and 连接", start: u.start, end: u.end });
      }
      left = { k: "binary", op: t.text as BinaryOp, left, right, start: left.start, end: right.end };
    }
    this.depth--;
    return left;
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { k: "num", value: t.value as number, start: t.start, end: t.end };
      case "str":
        return { k: "str", value: t.value as string, start: t.start, end: t.end };
      case "eof":
        throw new ExpressionError({ message: "表达式不完整", start: t.start, end: t.end });
      case "ident":
        return this.identifier(t);
      case "op":
        if (t.text === "-") {
          const arg = this.expr(70);
          return { k: "unary", op: "-", arg, start: t.start, end: arg.end };
        }
        if (t.text === "(") {
          const inner = this.expr(0);
          const close = this.expect(")", "右括号“)”");
          return { ...inner, start: t.start, end: close.end };
        }
        if (t.text === "[") return this.list(t);
        throw new ExpressionError({ message: `此处不能出现“${t.text}”`, start: t.start, end: t.end });
    }
  }

  private identifier(t: Token): Expr {
    const lower = t.text.toLowerCase();
    if (lower === "true" || lower === "false")
      return { k: "bool", value: lower === "true", start: t.start, end: t.end };
    if (lower === "null") return { k: "null", start: t.start, end: t.end };
    if (lower === "not") {
      const arg = this.expr(30);
      return { k: "unary", op: "not", arg, start: t.start, end: arg.end };
    }
    if (KEYWORD_OPS.has(lower))
      throw new ExpressionError({ message: `“${t.text}”前缺少运算对象`, start: t.start, end: t.end });
    if (this.isOp("(")) {
      this.next();
      const args: Expr[] = [];
      if (!this.isOp(")")) {
        for (;;) {
          args.push(this.expr(0));
          if (this.isOp(",")) {
            this.next();
            continue;
          }
          break;
        }
      }
      const close = this.expect(")", "右括号“)”或逗号");
      return { k: "call", name: t.text, nameEnd: t.end, args, start: t.start, end: close.end };
    }
    return { k: "name", name: t.text, start: t.start, end: t.end };
  }

  private list(open: Token): Expr {
    const items: Expr[] = [];
    if (!this.isOp("]")) {
      for (;;) {
        items.push(this.expr(0));
        if (this.isOp(",")) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.expect("]", "右方括号“]”或逗号");
    return { k: "list", items, start: open.start, end: close.end };
  }
}

/** Parses an expression; throws ExpressionError with the position of the first problem. */
export function parseExpression(src: string): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH)
    throw new ExpressionError({
      message: `表达式过长（最多 ${MAX_EXPRESSION_LENGTH} 个字符）`,
      start: MAX_EXPRESSION_LENGTH,
      end: src.length,
    });
  return new Parser(tokenize(src)).parseAll();
}
