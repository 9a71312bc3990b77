/** The service's import jobs, on real folders: one at a time, progress, cancel, and the order of their end. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { importSegments } from '../../app/archive/import.js';
import type { ImportProgress } from '../../app/service/contract.js';
import { ImportJobs, type ImportJobsOptions } from '../../app/service/import-jobs.js';
import { tempDir, writeShapedChannel } from '../support/service-archive.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(over: Partial<ImportJobsOptions> = {}) {
  const t = await tempDir('ca-import-jobs-');
  const segments = path.join(t.dir, 'segments');
  const source = path.join(t.dir, 'source');
  await fs.mkdir(segments);
  await writeShapedChannel(source, 'other');
  const log: string[] = [];
  const events: ImportProgress[] = [];
  const jobs = new ImportJobs({
    segments: () => segments,
    onProgress: (p) => {
      events.push(p);
      log.push(`progress ${p.phase}`);
    },
    finished: async () => void log.push('finished'),
    ...over,
  });
  cleanups.push(t.cleanup, () => jobs.close());
  return { dir: t.dir, segments, source, jobs, events, log };
}

const ended = (jobs: ImportJobs, id: string) =>
  expect
    .poll(() => jobs.status().find((p) => p.importId === id)?.phase, { timeout: 20_000 })
    .toMatch(/^(done|failed|cancelled)$/);

describe('ImportJobs', () => {
  it('imports in the background and reports the end only after the index was told', async () => {
    const { source, segments, jobs, events, log } = await setup();
    const started = await jobs.start({ sources: [source] });
    if (!started.ok) throw new Error(started.error.message);
    await ended(jobs, started.value.importId);
    expect(jobs.status()).toEqual([events.at(-1)]);
    expect(events.at(-1)).toMatchObject({ phase: 'done', filesTotal: 7, filesChecked: 7, copied: 7, error: null });
    expect(log.slice(-2)).toEqual(['finished', 'progress done']);
    expect(log[0]).toBe('progress scanning');
    // Merged as it came in: minute 2's two files are one.
    expect(await fs.readdir(path.join(segments, 'other', 'chat', '2024-01-06T16'))).toHaveLength(6);
  });

  it('runs one import at a time, and cancels', async () => {
    const slow: typeof importSegments = async (dest, sources, opts) => {
      await new Promise((r) => setTimeout(r, 200));
      return importSegments(dest, sources, opts);
    };
    const { source, segments, jobs } = await setup({ run: slow });
    const first = await jobs.start({ sources: [source] });
    if (!first.ok) throw new Error(first.error.message);
    expect(await jobs.start({ sources: [source] })).toMatchObject({ ok: false, error: { code: 'busy' } });
    expect(await jobs.cancel(first.value.importId)).toEqual({ ok: true, value: { cancelled: true } });
    expect(jobs.status()).toMatchObject([{ phase: 'cancelled', error: null }]);
    await expect(fs.readdir(path.join(segments, 'other'))).rejects.toThrow();
    // A finished import is no longer running: cancelling it cancels nothing, and a new one may start.
    expect(await jobs.cancel(first.value.importId)).toEqual({ ok: true, value: { cancelled: false } });
    expect(await jobs.start({ sources: [source] })).toMatchObject({ ok: true });
    expect(await jobs.cancel('import-nope')).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('reports a failed import with its error', async () => {
    const broken: typeof importSegments = async () => {
      throw new Error('disk on fire');
    };
    const { source, jobs } = await setup({ run: broken });
    const started = await jobs.start({ sources: [source] });
    if (!started.ok) throw new Error(started.error.message);
    await ended(jobs, started.value.importId);
    expect(jobs.status()).toMatchObject([{ phase: 'failed', error: 'disk on fire' }]);
  });

  it('refuses relative, missing, non-folder sources and the archive itself or around it', async () => {
    const { dir, segments, jobs } = await setup();
    const file = path.join(dir, 'file.txt');
    await fs.writeFile(file, 'x');
    const refused = async (src: string, code: string) =>
      expect(await jobs.start({ sources: [src] })).toMatchObject({ ok: false, error: { code } });
    await refused('relative/dir', 'invalid_argument');
    await refused(path.join(dir, 'nope'), 'not_found');
    await refused(file, 'invalid_argument');
    await refused(segments, 'invalid_argument');
    await refused(path.join(segments, 'inner'), 'invalid_argument');
    await refused(dir, 'invalid_argument');
    expect(jobs.status()).toEqual([]);
  });
});
