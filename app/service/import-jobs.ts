/**
 * The service's imports: one at a time, in the background, with throttled progress
 * events, cancellable, and kept afterwards so clients can ask how one ended.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { importSegments, type ImportCounts, type ImportPhase } from '../archive/import.js';
import type { ArgsOf, ImportProgress, Result } from './contract.js';
import { errorMessage, fail, invalid, isInside, ok } from './validate.js';
import { foreignImport, resolveFormat } from './foreign-import.js';
import { userZone } from '../foreign/zone.js';

export type ImportFn = typeof importSegments;

export interface ImportJobsOptions {
  /** The archive folder now (the desktop may move it). */
  segments(): string;
  /** The archive core's import; replaceable so tests can slow it down. */
  run?: ImportFn;
  onProgress(progress: ImportProgress): void;
  /** After an import, however it ended: the index must show what it brought before the job reports its end. */
  finished(): Promise<void>;
}

interface Job {
  progress: ImportProgress;
  abort: AbortController;
  done: Promise<void>;
}

/** Progress events at most this often (the last one of a job always goes out). */
const PROGRESS_MS = 100;
const FINAL: ReadonlyArray<ImportProgress['phase']> = ['done', 'cancelled', 'failed'];
/** The job's phase while the core import runs: its 'done' still has the index refresh ahead (the job's own end). */
const JOB_PHASE: Record<ImportPhase, ImportProgress['phase']> = {
  scanning: 'scanning',
  importing: 'copying',
  merging: 'merging',
  done: 'merging',
};

export class ImportJobs {
  readonly #opts: ImportJobsOptions;
  readonly #jobs = new Map<string, Job>();

  constructor(opts: ImportJobsOptions) {
    this.#opts = opts;
  }

  /** Starts an import of `sources` in `format` (default: told from them); other tools' chat takes channel, node and time zone. */
  async start({
    sources,
    format,
    channel,
    node,
    timezone,
  }: ArgsOf<'importStart'>): Promise<Result<{ importId: string }>> {
    if ([...this.#jobs.values()].some((j) => !FINAL.includes(j.progress.phase)))
      return fail('busy', 'an import is already running; wait for it or cancel it');
    if (timezone !== undefined && !userZone(timezone))
      return invalid('the time zone must be an IANA name (Europe/Berlin) or an offset (+01:00)', timezone);
    const checked = await this.#checkSources(sources, true);
    if (!checked.ok) return checked;
    const resolved = await resolveFormat(checked.value, format ?? 'auto');
    if (!resolved.ok) return invalid(resolved.message);
    let run: ImportFn;
    if (resolved.format === 'segments') {
      const folders = await this.#checkSources(sources);
      if (!folders.ok) return folders;
      if (channel || node || timezone)
        return invalid("channel, node and time zone are for other tools' chat, not segments folders");
      run = this.#opts.run ?? importSegments;
    } else run = foreignImport(resolved.format, { channel, node, timezone });
    const importId = `import-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    this.#jobs.set(importId, this.#run(importId, checked.value, run));
    return ok({ importId });
  }

  async cancel(importId: string): Promise<Result<{ cancelled: boolean }>> {
    const job = this.#jobs.get(importId);
    if (!job) return fail('not_found', 'no such import');
    const running = !FINAL.includes(job.progress.phase);
    job.abort.abort();
    await job.done;
    return ok({ cancelled: running && job.progress.phase === 'cancelled' });
  }

  status(): ImportProgress[] {
    return [...this.#jobs.values()].map((j) => structuredClone(j.progress));
  }

  /** Cancels every import and waits for them to end. */
  async close(): Promise<void> {
    for (const job of this.#jobs.values()) job.abort.abort();
    await Promise.allSettled([...this.#jobs.values()].map((j) => j.done));
  }

  /** Paths from a client: absolute, existing folders (files too for other tools' chat), never the archive itself or around it. */
  async #checkSources(sources: string[], files = false): Promise<Result<string[]>> {
    const segments = this.#opts.segments();
    const out: string[] = [];
    for (const s of sources) {
      if (!path.isAbsolute(s))
        return invalid('import sources must be absolute paths on the machine running the archive', s);
      const p = path.resolve(s);
      if (isInside(segments, p) || isInside(p, segments))
        return invalid('an import source must not contain or be inside the archive itself', p);
      let st;
      try {
        st = await fs.stat(p);
      } catch {
        return fail('not_found', 'import source does not exist', p);
      }
      if (!st.isDirectory() && !(files && st.isFile()))
        return invalid(files ? 'an import source must be a file or a folder' : 'an import source must be a folder', p);
      out.push(p);
    }
    return ok(out);
  }

  #run(importId: string, sources: string[], run: ImportFn): Job {
    const abort = new AbortController();
    const progress: ImportProgress = {
      importId,
      phase: 'scanning',
      filesTotal: 0,
      filesChecked: 0,
      copied: 0,
      alreadyPresent: 0,
      quarantined: [],
      recordsMerged: 0,
      newObservations: 0,
      error: null,
    };
    const update = (c: ImportCounts, phase: ImportProgress['phase']) => {
      progress.filesTotal = c.filesTotal;
      progress.filesChecked = c.filesChecked;
      progress.copied = c.copied;
      progress.alreadyPresent = c.alreadyPresent;
      progress.quarantined = c.quarantined.map(({ path: p, reason }) => ({ path: p, reason }));
      progress.recordsMerged = c.recordsMerged;
      progress.newObservations = c.newObservations;
      // Other tools' chat: progress in bytes, and lines imported.
      for (const k of ['bytesTotal', 'bytesRead', 'linesImported'] as const)
        if (k in c) progress[k] = (c as ImportCounts & Partial<Record<typeof k, number>>)[k];
      progress.phase = phase;
    };
    let lastEmit = 0;
    const emit = (force = false) => {
      if (!force && Date.now() - lastEmit < PROGRESS_MS) return;
      lastEmit = Date.now();
      this.#opts.onProgress(structuredClone(progress));
    };
    const done = (async () => {
      let final: ImportProgress['phase'];
      emit(true);
      try {
        const sum = await run(this.#opts.segments(), sources, {
          signal: abort.signal,
          importId,
          onProgress: (c, phase) => {
            update(c, JOB_PHASE[phase]);
            emit();
          },
        });
        update(sum, 'merging');
        final = abort.signal.aborted ? 'cancelled' : 'done';
      } catch (e) {
        final = abort.signal.aborted ? 'cancelled' : 'failed';
        if (!abort.signal.aborted) progress.error = errorMessage(e);
      }
      try {
        await this.#opts.finished();
      } catch {
        // the index catches up on the next scan
      }
      // Only now is the import finished for the UI: the index shows what it brought.
      progress.phase = final;
      emit(true);
    })();
    return { progress, abort, done };
  }
}
