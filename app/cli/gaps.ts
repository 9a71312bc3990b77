/**
 * `chat-archiver gaps`: who was not recording when, to the second (app/query/gaps.ts),
 * through the same index and query as the service's `coverage` method.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { listHours } from '../archive/layout.js';
import { MAX_TIME } from '../archive/record.js';
import { ArchiveIndex } from '../service/index-cache.js';
import { channelCoverage, CoverageRecords } from '../service/coverage-query.js';
import { channelOption, EXIT_OK, EXIT_PROBLEMS, reporter, requireFolder, UsageError } from './output.js';
import { existsSync } from 'node:fs';

/** `--from`/`--to`: Unix seconds, or an ISO 8601 time (UTC unless it names its offset). */
export function timeOption(value: string, flag: string): number {
  const v = value.trim();
  let t: number;
  if (/^\d+(\.\d+)?$/.test(v)) t = Number(v);
  else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const iso = v.length === 10 ? `${v}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
    t = Date.parse(iso) / 1000;
  } else t = NaN;
  if (!Number.isFinite(t) || t < 0 || t >= MAX_TIME)
    throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: give Unix seconds or an ISO 8601 time (UTC)`);
  return t;
}

const iso = (t: number) => new Date(Math.round(t * 1000)).toISOString().replace('.000Z', 'Z');
const length = (s: number) =>
  s < 120 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;

export function register(program: Command): void {
  program
    .command('gaps')
    .description('what each node did not record, and the holes nobody recorded, to the second')
    .requiredOption('--segments <dir>', 'the archive')
    .requiredOption('--channel <name>', 'the channel')
    .option('--from <time>', 'start (Unix seconds or ISO 8601 UTC); default: the beginning')
    .option('--to <time>', 'end (Unix seconds or ISO 8601 UTC); default: the end')
    .option('--json', 'print {"channel", "nodes": {NODE: [{from, to, receivers}]}, "holes": [{from, to}]}')
    .action(async (o: { segments: string; channel: string; from?: string; to?: string; json?: boolean }) => {
      const channel = channelOption(o.channel);
      const from = o.from === undefined ? 0 : timeOption(o.from, '--from');
      const to = o.to === undefined ? MAX_TIME - 1 : timeOption(o.to, '--to');
      if (to < from) throw new UsageError('--to is before --from');
      requireFolder(o.segments);
      if (!existsSync(path.join(o.segments, channel)))
        throw new UsageError(`${o.segments} holds no channel ${channel}`);
      const out = reporter(!!o.json);
      try {
        const index = new ArchiveIndex(o.segments, {
          cacheDir: path.join(o.segments, '.chat-archiver', 'index'),
          onProgress: (p) => out.progress('indexing', p.filesScanned, p.filesTotal),
        });
        await index.refresh(channel, (await listHours(o.segments, channel)).hours);
        const c = await channelCoverage(o.segments, channel, index.channel(channel), new CoverageRecords(), from, to);
        const lines = [`#${channel}: ${c.receivers.length} receiver(s), ${c.holes.length} hole(s) nobody recorded`];
        for (const h of [...c.holes].sort((a, b) => b.to - b.from - (a.to - a.from)))
          lines.push(`  hole ${iso(h.from)} – ${iso(h.to)} (${length(h.to - h.from)})`);
        for (const [node, gaps] of Object.entries(c.nodes)) {
          lines.push(`${node}: ${gaps.length} gap(s)`);
          for (const g of gaps)
            lines.push(`  ${iso(g.from)} – ${iso(g.to)} (${length(g.to - g.from)}) ${g.receivers.join(', ')}`);
        }
        out.result({ channel, nodes: c.nodes, holes: c.holes }, lines.join('\n'));
        process.exitCode = EXIT_OK;
      } catch (e) {
        out.warn(`gaps failed: ${(e as Error).message}`);
        process.exitCode = EXIT_PROBLEMS;
      }
    });
}
