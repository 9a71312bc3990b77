/**
 * The coverage query shared by the API and `chat-archiver gaps`: exact-time evidence per
 * receiver from the archive index (kept per file, so 30 days are aggregated in memory),
 * the recorder's coverage records from the channel's coverage folder (files are named by
 * their content, so each is read once and cached), and app/query/gaps.ts over both.
 */
import { listCoverageFiles, coverageDir, readCoverageFile } from '../archive/coverage-files.js';
import { joinSpans, type ConnectedSpan } from '../archive/coverage.js';
import { coverageReport, type CoverageReport } from '../query/gaps.js';
import type { ChannelIndex } from './index-cache.js';

const evidence = new WeakMap<ChannelIndex, { version: number; exact: Map<string, [number, number]> }>();

/** receiver → [first, last] exact server time over every file of the channel; kept until the channel's index changes. */
export function exactEvidence(ci: ChannelIndex | undefined): Map<string, [number, number]> {
  if (!ci) return new Map();
  const kept = evidence.get(ci);
  if (kept?.version === ci.version) return kept.exact;
  const out = new Map<string, [number, number]>();
  evidence.set(ci, { version: ci.version, exact: out });
  for (const files of ci.byMinute.values())
    for (const f of files)
      for (const id in f.summary.exact) {
        const [a, b] = f.summary.exact[id]!;
        const had = out.get(id);
        if (!had) out.set(id, [a, b]);
        else {
          if (a < had[0]) had[0] = a;
          if (b > had[1]) had[1] = b;
        }
      }
  return out;
}

export class CoverageRecords {
  /** file path → its records; paths carry the content hash, so an entry never goes stale. */
  readonly #files = new Map<string, ConnectedSpan[]>();

  /** Every coverage record of a channel, joined (unreadable files are skipped; verify names them). */
  async of(segments: string, channel: string): Promise<ConnectedSpan[]> {
    const { files } = await listCoverageFiles(coverageDir(segments, channel));
    const present = new Set(files.map((f) => f.path));
    const prefix = coverageDir(segments, channel);
    for (const p of this.#files.keys()) if (p.startsWith(prefix) && !present.has(p)) this.#files.delete(p);
    const all: ConnectedSpan[] = [];
    for (const f of files) {
      let spans = this.#files.get(f.path);
      if (!spans) {
        try {
          spans = (await readCoverageFile(f.path)).spans;
        } catch {
          continue;
        }
        this.#files.set(f.path, spans);
      }
      all.push(...spans);
    }
    return joinSpans(all);
  }
}

export async function channelCoverage(
  segments: string,
  channel: string,
  ci: ChannelIndex | undefined,
  records: CoverageRecords,
  from: number,
  to: number,
): Promise<CoverageReport & { channel: string; from: number; to: number }> {
  const spans = await records.of(segments, channel);
  return { channel, from, to, ...coverageReport(exactEvidence(ci), spans, from, to) };
}
