/**
 * Values read from Partner Center, kept in this worker process for `ttlMs` and at most `maxEntries` (the oldest goes
 * first): a burst of activities asking the same thing reads it once. Promises are kept, so callers that ask while the
 * read is under way share it; a failed read is forgotten (the next caller reads again).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { expiresAt: number; value: Promise<V> }>();

  constructor(private readonly options: { ttlMs: number; maxEntries: number; now?: () => number }) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value of `key` while it is fresh, else what `read` answers (kept for the next callers). */
  get(key: string, read: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value;
    this.entries.delete(key);
    const entry = { expiresAt: now + this.options.ttlMs, value: read() };
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
