/**
 * Final failures remembered, so a run does not ask the CDN again for what it answered 404
 * (or refused) an hour ago: one small file of this node's own state,
 * `<segments>/.chat-archiver/images/missing.json` (not synced: another node may have
 * better luck). An entry is forgotten after `MISSING_TTL_SECONDS`: CDNs do bring images
 * back, and a 404 can be a CDN's passing mistake. `--retry-missing` ignores the memory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../archive/atomic.js';

export const MISSING_TTL_SECONDS = 7 * 24 * 3600;

interface Entry {
  at: number;
  reason: string;
}

export class MissingMemory {
  private entries = new Map<string, Entry>();
  private dirty = false;
  private saving: Promise<void> | null = null;

  private constructor(
    private readonly file: string | null,
    private readonly now: () => number,
    private readonly ignore: boolean,
  ) {}

  /** `file` null keeps the memory in this process only. */
  static async open(file: string | null, opts: { now?: () => number; ignore?: boolean } = {}): Promise<MissingMemory> {
    const m = new MissingMemory(file, opts.now ?? (() => Date.now() / 1000), opts.ignore ?? false);
    if (file) {
      try {
        const raw = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
        if (raw && typeof raw === 'object' && !Array.isArray(raw))
          for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
            const e = v as Partial<Entry>;
            if (typeof e?.at === 'number' && typeof e.reason === 'string')
              m.entries.set(k, { at: e.at, reason: e.reason });
          }
      } catch {
        // none yet, or unreadable: start afresh (it is only a cache of failures)
      }
    }
    return m;
  }

  static fileIn(segments: string): string {
    return path.join(segments, '.chat-archiver', 'images', 'missing.json');
  }

  /** Why `key` is known to be missing, or null when it should be tried. */
  known(key: string): string | null {
    if (this.ignore) return null;
    const e = this.entries.get(key);
    if (!e) return null;
    if (this.now() - e.at > MISSING_TTL_SECONDS) {
      this.entries.delete(key);
      this.dirty = true;
      return null;
    }
    return e.reason;
  }

  remember(key: string, reason: string): void {
    this.entries.set(key, { at: this.now(), reason });
    this.dirty = true;
  }

  forget(key: string): void {
    if (this.entries.delete(key)) this.dirty = true;
  }

  /** Writes the memory if it changed; concurrent calls share one write. */
  async save(): Promise<void> {
    if (!this.file) return;
    while (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    const now = this.now();
    const out: Record<string, Entry> = {};
    for (const [k, e] of this.entries) if (now - e.at <= MISSING_TTL_SECONDS) out[k] = e;
    this.saving = writeFileAtomic(this.file, Buffer.from(JSON.stringify(out) + '\n'), true)
      .then(
        () => undefined,
        (e: unknown) => {
          this.dirty = true;
          throw e;
        },
      )
      .finally(() => (this.saving = null));
    await this.saving;
  }
}
