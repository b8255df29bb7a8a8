/**
 * The offers of a price sheet (price-index.ts) by their key's bytes (`PRODUCT:SKU` upper-cased, UTF-8): the keys in one
 * byte arena and an open-addressing hash table of offer ids over them, with each offer's first and last row. A sheet
 * has tens of thousands of offers; a string, an object and a map entry for each cost more than reading all their rows
 * (docs/benchmarks.md, Prices), so none is made while reading: a key is decoded only when the offers are listed.
 */
import { textOf } from './csv-stream';

const EMPTY = -1;

/** FNV-1a over bytes [start, end), as a 32-bit integer. */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let at = start; at < end; at += 1) hash = Math.imul(hash ^ bytes[at], 0x01000193);
  return hash;
}

/** `from` copied into a new array of `length` (at least from's). */
function grown<T extends Int32Array | Uint8Array>(from: T, length: number, make: (length: number) => T): T {
  const to = make(length);
  to.set(from);
  return to;
}

export class OfferTable {
  /** How many offers. */
  count = 0;
  /** Each offer's first and last row (-1: none yet). */
  firsts = new Int32Array(1024);
  lasts = new Int32Array(1024);
  private keys = new Uint8Array(16 * 1024);
  /** Offer id's key is keys [keyStarts[id], keyStarts[id + 1]). */
  private keyStarts = new Int32Array(1025);
  private hashes = new Int32Array(1024);
  /** Offer ids by hash, EMPTY where none; never more than half full. */
  private slots = new Int32Array(2048).fill(EMPTY);

  /** The id of the offer whose key is bytes [start, end), added when new. */
  idOf(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashOf(bytes, start, end);
    const slot = this.slotOf(hash, bytes, start, end);
    if (this.slots[slot] !== EMPTY) return this.slots[slot];
    return this.add(slot, hash, bytes, start, end);
  }

  /** The id of the offer whose key is `key` (upper-cased), EMPTY when the sheet has none. */
  find(key: string): number {
    const bytes = Buffer.from(key, 'utf8');
    return this.slots[this.slotOf(hashOf(bytes, 0, bytes.length), bytes, 0, bytes.length)];
  }

  /** The offer's key. */
  keyOf(id: number): string {
    return textOf(this.keys, this.keyStarts[id], this.keyStarts[id + 1]);
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private slotOf(hash: number, bytes: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === EMPTY) return slot;
      if (this.hashes[id] === hash && this.isKey(id, bytes, start, end)) return slot;
    }
  }

  private isKey(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const keyStart = this.keyStarts[id];
    if (this.keyStarts[id + 1] - keyStart !== end - start) return false;
    for (let at = start; at < end; at += 1) if (this.keys[keyStart + at - start] !== bytes[at]) return false;
    return true;
  }

  private add(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const id = this.count;
    if (id + 1 === this.hashes.length) this.growOffers();
    const keyStart = this.keyStarts[id];
    if (keyStart + end - start > this.keys.length)
      this.keys = grown(this.keys, 2 * (keyStart + end - start), (n) => new Uint8Array(n));
    this.keys.set(bytes.subarray(start, end), keyStart);
    this.keyStarts[id + 1] = keyStart + end - start;
    this.hashes[id] = hash;
    this.firsts[id] = EMPTY;
    this.lasts[id] = EMPTY;
    this.slots[slot] = id;
    this.count += 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return id;
  }

  private growOffers(): void {
    const length = 2 * this.hashes.length;
    const int32s = (n: number) => new Int32Array(n);
    this.hashes = grown(this.hashes, length, int32s);
    this.firsts = grown(this.firsts, length, int32s);
    this.lasts = grown(this.lasts, length, int32s);
    this.keyStarts = grown(this.keyStarts, length + 1, int32s);
  }

  /** Twice the slots, each offer placed again by its hash. */
  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length).fill(EMPTY);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id += 1) {
      let slot = this.hashes[id] & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }
}
