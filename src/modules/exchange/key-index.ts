/**
 * The natural keys of a file and the row each first appeared on, for the duplicate check. A Map of
 * 550,000 strings per key column cost ~1.3 s of a 550,000-row dry run (measured against this
 * table: its hashes and slots live in two flat integer arrays, probed linearly, so an insert
 * allocates nothing and touches one cache line of the table). Keys are compared as strings, so a
 * hash collision never makes two different keys equal.
 */
export class KeyIndex {
  private capacity = 1 << 12;
  private hashes = new Int32Array(this.capacity);
  /** 1-based positions in keys/rows; 0 is an empty slot. */
  private slots = new Int32Array(this.capacity);
  private readonly keys: string[] = [];
  private readonly rows: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The row `key` was first added with, or -1 when it is new (it is added with `row`). */
  add(key: string, row: number): number {
    if (this.keys.length * 2 >= this.capacity) this.grow();
    const h = hash(key);
    const mask = this.capacity - 1;
    for (let i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i];
      if (s === 0) {
        this.keys.push(key);
        this.rows.push(row);
        this.slots[i] = this.keys.length;
        this.hashes[i] = h;
        return -1;
      }
      if (this.hashes[i] === h && this.keys[s - 1] === key) return this.rows[s - 1];
    }
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

/** FNV-1a over the UTF-16 code units (exported for the tests). */
export function hash(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
