/**
 * Small helpers for scanning the SpreadsheetML that Excel, WPS and libraries write: entity and
 * Excel-escape decoding, attribute lookup inside one tag, and the tag name without its prefix.
 */

const ENTITY = /&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g;
const entityChars: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** XML character references and Excel's _xHHHH_ escapes (used for control characters such as CR). */
export function decodeXmlText(s: string): string {
  if (s.indexOf("&") >= 0)
    s = s.replace(ENTITY, (_, e: string) => {
      if (e[0] !== "#") return entityChars[e];
      return String.fromCodePoint(e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    });
  if (s.indexOf("_x") >= 0)
    s = s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return s;
}

/** The value of attribute `name` in the tag text `tag` (from '<' to '>'), or null. */
export function attr(tag: string, name: string): string | null {
  let from = 0;
  for (;;) {
    const at = tag.indexOf(`${name}=`, from);
    if (at < 0) return null;
    const before = tag.charCodeAt(at - 1);
    // Preceded by whitespace (or by ':' when asked for a prefixed name's local part, e.g. "r:id").
    if (before === 32 || before === 9 || before === 10 || before === 13 || (name.startsWith(":") && at > 0)) {
      const q = tag[at + name.length + 1];
      if (q === '"' || q === "'") {
        const end = tag.indexOf(q, at + name.length + 2);
        if (end < 0) return null;
        return decodeXmlText(tag.slice(at + name.length + 2, end));
      }
    }
    from = at + name.length;
  }
}

/** Tag name at `lt` (the '<'), without a namespace prefix; `end` is where the name stops. */
export function tagName(s: string, lt: number): { name: string; end: number } {
  let j = lt + 1;
  const len = s.length;
  let colon = -1;
  while (j < len) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13) break;
    if (c === 58) colon = j;
    j++;
  }
  return { name: s.slice(colon >= 0 ? colon + 1 : lt + 1, j), end: j };
}

/** Every element `name` (any prefix) in a small document, as its opening tag text. */
export function findTags(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${name}\\b[^>]*>`, "g");
  return xml.match(re) ?? [];
}

/** Column letters of a cell reference ("AB12") as a 0-based index; -1 when there are none. */
export function columnIndex(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return i === 0 ? -1 : n - 1;
}

/** A 0-based column index as letters: 0 → A, 27 → AB. */
export function columnLetters(index: number): string {
  let s = "";
  let n = index + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
