/**
 * The natural keys of a file and the row each first appeared on, for the duplicate check. A Map of
 * 550,000 strings per key column cost ~1.3 s of a 550,000-row dry run (measured against this
 * table: its hashes and slots live in two flat integer arrays, probed linearly, so an insert
 * allocates nothing and touches one cache line of the table). The keys' characters are copied
 * into one growing array rather than kept as strings: 550,000 kept strings (each holding on to
 * the parts it was built from, and those to the file's text) were copied by every young-generation
 * collection until promoted, ~1 s of garbage collection in a 550,000-screening dry run. Keys are
 * compared character by character, so a hash collision never makes two different keys equal.
 */
export class KeyIndex {
  private capacity = 1 << 12;
  private hashes = new Int32Array(this.capacity);
  /** 1-based entry numbers; 0 is an empty slot. */
  private slots = new Int32Array(this.capacity);
  /** Entry e's key is chars[starts[e], starts[e + 1]); it first appeared on rows[e]. */
  private starts = new Int32Array(1 << 11);
  private rows = new Int32Array(1 << 11);
  private chars = new Uint16Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The row `key` was first added with, or -1 when it is new (it is added with `row`). */
  add(key: string, row: number): number {
    if (this.count * 2 >= this.capacity) this.grow();
    const h = hash(key);
    const mask = this.capacity - 1;
    for (let i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i];
      if (s === 0) {
        this.append(key, row);
        this.slots[i] = this.count;
        this.hashes[i] = h;
        return -1;
      }
      if (this.hashes[i] === h && this.equals(s - 1, key)) return this.rows[s - 1];
    }
  }

  private equals(entry: number, key: string): boolean {
    const start = this.starts[entry];
    if (this.starts[entry + 1] - start !== key.length) return false;
    const chars = this.chars;
    for (let j = 0; j < key.length; j++) if (chars[start + j] !== key.charCodeAt(j)) return false;
    return true;
  }

  private append(key: string, row: number) {
    const e = this.count;
    if (e + 2 > this.starts.length) {
      this.starts = grown(this.starts, this.starts.length * 2);
      this.rows = grown(this.rows, this.starts.length);
    }
    let at = this.starts[e];
    if (at + key.length > this.chars.length)
      this.chars = grown(this.chars, Math.max(this.chars.length * 2, at + key.length));
    const chars = this.chars;
    for (let j = 0; j < key.length; j++) chars[at++] = key.charCodeAt(j);
    this.starts[e + 1] = at;
    this.rows[e] = row;
    this.count = e + 1;
  }

  /** Doubles the table (kept at most half full). */
  private grow() {
    const { hashes, slots } = this;
    this.capacity *= 2;
    this.hashes = new Int32Array(this.capacity);
    this.slots = new Int32Array(this.capacity);
    const mask = this.capacity - 1;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === 0) continue;
      const h = hashes[j];
      let i = (h ^ (h >>> 16)) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = slots[j];
      this.hashes[i] = h;
    }
  }
}

function grown<T extends Int32Array | Uint16Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** FNV-1a over the UTF-16 code units (exported for the tests). */
export function hash(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
