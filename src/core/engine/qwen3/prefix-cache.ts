// The per-voice prefix cache (decision 0018): a prompt opens with rows that depend only on the voice (instruct,
// role, think block, speaker), so the talker's cache over them is the same for every request in that voice.
// Kept here, least recently used first out, within a byte budget, so a voice used before prefills only its text.
import { createHash } from 'node:crypto';
import type { KvSnapshot } from './kv-cache.js';
import type { PrefillRow } from './prompt.js';

/** Default budget: ~10 voices with a 25-token instruct at 0.6B/1.7B (229 KB per position). */
export const DEFAULT_PREFIX_CACHE_BYTES = 64 * 1024 * 1024;

/** The cache key of a prompt's first `n` rows: their ids, reference frames and speaker vectors (by digest), exactly. */
export function prefixKey(rows: readonly PrefillRow[], n: number): string {
  return rows
    .slice(0, n)
    .map((r) => `${r.textId ?? '-'}:${r.codecId ?? '-'}${codecExtra(r)}`)
    .join(' ');
}

function codecExtra(r: PrefillRow): string {
  if (r.refFrame) return `:f${r.refFrame.join(',')}`;
  if (!r.speakerVector) return '';
  const v = r.speakerVector;
  return `:v${createHash('sha256')
    .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    .digest('base64')}`;
}

export class PrefixCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, KvSnapshot>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number = DEFAULT_PREFIX_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): KvSnapshot | undefined {
    const hit = this.entries.get(key);
    if (!hit) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Keeps `snapshot` unless it alone exceeds the budget; evicts the least recently used until it fits. */
  set(key: string, snapshot: KvSnapshot): void {
    const size = snapshotBytes(snapshot);
    this.delete(key);
    if (size > this.maxBytes) return;
    for (const [old] of this.entries) {
      if (this.used + size <= this.maxBytes) break;
      this.delete(old);
    }
    this.entries.set(key, snapshot);
    this.used += size;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.used -= snapshotBytes(old);
  }
}

function snapshotBytes(s: KvSnapshot): number {
  return s.keys.byteLength + s.values.byteLength;
}
