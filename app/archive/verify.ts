/** verify: everything about an archive that is not as SPEC §2–4 and §6 say. */
import path from 'node:path';
import {
  hourDir,
  isConflictCopy,
  isOwnTemporary,
  isSyncTemporary,
  listBatchFiles,
  listChannels,
  listHours,
  type Stray,
} from './layout.js';
import { lineProblemText, readBatchFile } from './read.js';
import { cluster } from './normalize.js';
import { observationHour, type Observation } from './observation.js';

export type ProblemKind =
  | 'unreadable'
  | 'invalid-record'
  | 'non-canonical'
  | 'hash-mismatch'
  | 'colon-name'
  | 'wrong-minute'
  | 'wrong-hour'
  | 'unmerged'
  | 'stray'
  | 'in-transfer'
  | 'duplicate-delivery'
  | 'disjoint-id-ranges'
  | 'id-identity-conflict';

export interface VerifyProblem {
  path: string;
  kind: ProblemKind;
  /** Errors make `verify` fail; warnings are odd data the merge kept as it is (SPEC §6). */
  severity: 'error' | 'warning';
  message: string;
}

export interface VerifyReport {
  channels: number;
  hours: number;
  files: number;
  records: number;
  observations: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  channel?: string;
  signal?: AbortSignal;
  onProgress?: (p: { hoursDone: number; hoursTotal: number }) => void;
}

export async function verifyArchive(segments: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { channels: 0, hours: 0, files: 0, records: 0, observations: 0, problems: [] };
  const err = (p: string, kind: ProblemKind, message: string) =>
    report.problems.push({ path: p, kind, severity: 'error', message });
  const strays = (list: Stray[]) =>
    list.forEach((s) => {
      const name = path.basename(s.path);
      // A file Syncthing is still receiving is not damage: it is renamed into place when complete.
      if (isSyncTemporary(name))
        report.problems.push({ path: s.path, kind: 'in-transfer', severity: 'warning', message: s.reason });
      // Merging folds a conflict copy in and removes it: until then the archive is not settled.
      else if (isConflictCopy(name))
        report.problems.push({
          path: s.path,
          kind: 'unmerged',
          severity: 'error',
          message: 'sync conflict copy, not merged yet (merge folds it in and removes it)',
        });
      // A killed write leaves a temporary of ours: harmless (readers skip it, merge removes it once stale), so only a warning.
      else
        report.problems.push({
          path: s.path,
          kind: 'stray',
          severity: isOwnTemporary(name) ? 'warning' : 'error',
          message: s.reason,
        });
    });
  let channels: string[];
  if (opts.channel) channels = [opts.channel];
  else {
    const l = await listChannels(segments);
    strays(l.strays);
    channels = l.channels;
  }
  const work: Array<{ channel: string; hour: number }> = [];
  for (const channel of channels) {
    const h = await listHours(segments, channel);
    strays(h.strays);
    for (const hour of h.hours) work.push({ channel, hour });
  }
  report.channels = channels.length;
  let done = 0;
  for (const { channel, hour } of work) {
    opts.signal?.throwIfAborted();
    const dir = hourDir(segments, channel, hour);
    const { files, strays: s } = await listBatchFiles(dir, hour);
    strays(s);
    report.hours++;
    const byTime = new Map<number, string[]>();
    const observations: Observation[] = [];
    for (const f of files) {
      report.files++;
      byTime.set(f.time, [...(byTime.get(f.time) ?? []), f.name]);
      if (f.colon) err(f.path, 'colon-name', 'MM:SS name; this project writes MM.SS (merge rewrites it)');
      let parsed;
      try {
        parsed = await readBatchFile(f.path, f.hash, true);
      } catch (e) {
        err(f.path, 'unreadable', (e as Error).message);
        continue;
      }
      for (const p of parsed.problems) err(f.path, 'invalid-record', lineProblemText(p));
      if (!parsed.hashMatches) err(f.path, 'hash-mismatch', 'name does not match the SHA-256 of the content');
      if (parsed.nonCanonical.length) err(f.path, 'non-canonical', parsed.nonCanonical.join('; '));
      report.records += parsed.records.length;
      let wrongMinute = 0;
      for (const r of parsed.records) if (r.time < f.time || r.time >= f.time + 60) wrongMinute++;
      if (wrongMinute) err(f.path, 'wrong-minute', `${wrongMinute} record(s) whose time is outside the file's minute`);
      let wrongHour = 0;
      for (const o of parsed.observations) {
        if (observationHour(o) !== hour) wrongHour++;
        observations.push(o);
      }
      if (wrongHour) err(f.path, 'wrong-hour', `${wrongHour} observation(s) whose own interval starts in another hour`);
    }
    for (const [t, names] of byTime)
      if (names.length > 1)
        err(
          path.join(dir, names.join(' + ')),
          'unmerged',
          `batch time ${new Date(t * 1000).toISOString()} holds ${names.length} files`,
        );
    // Only the counts and warnings are wanted: clustering without building the lines.
    const n = cluster(observations);
    report.observations += n.observations;
    for (const w of n.warnings)
      report.problems.push({ path: dir, kind: w.kind, severity: 'warning', message: w.message });
    opts.onProgress?.({ hoursDone: ++done, hoursTotal: work.length });
  }
  return report;
}

export const hasErrors = (r: VerifyReport) => r.problems.some((p) => p.severity === 'error');
