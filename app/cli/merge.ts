import type { Command } from 'commander';
import { mergeAll, type MergeSummary } from '../archive/merge.js';
import {
  channelOption,
  EXIT_OK,
  EXIT_PROBLEMS,
  interruptSignal,
  option,
  seconds,
  requireFolder,
  isAbort,
  reporter,
  type Reporter,
} from './output.js';

export function register(program: Command): void {
  program
    .command('merge')
    .description('normalize every hour that needs it (several files per minute, new files since the last merge)')
    .requiredOption('--segments <dir>', 'the archive')
    .option('--channel <name>', 'only this channel')
    .option('--watch <seconds>', 'keep merging every N seconds until interrupted')
    .option('--json', 'print one JSON summary on stdout (with --watch: one per round)')
    .action(async (o: { segments: string; channel?: string; watch?: string; json?: boolean }) => {
      const channel = o.channel === undefined ? undefined : channelOption(o.channel);
      const every = o.watch === undefined ? undefined : option(seconds, o.watch, '--watch');
      requireFolder(o.segments);
      const out = reporter(!!o.json);
      const signal = interruptSignal();
      let problems = false;
      try {
        do {
          const s = await mergeAll(o.segments, {
            channel,
            signal,
            onProgress: (p) => out.progress(`merge ${p.channel}`, p.hoursDone, p.hoursTotal),
          });
          problems = s.problems.length > 0 || s.quarantined.length > 0;
          print(out, s);
          if (every !== undefined) await sleep(every * 1000, signal);
        } while (every !== undefined && !signal.aborted);
      } catch (e) {
        if (!isAbort(e)) {
          out.warn(`merge failed: ${(e as Error).message}`);
          problems = true;
        }
      }
      process.exitCode = problems ? EXIT_PROBLEMS : EXIT_OK;
    });
}

function print(out: Reporter, s: MergeSummary): void {
  out.result(
    {
      ok: s.problems.length === 0 && s.quarantined.length === 0,
      filesRead: s.filesRead,
      written: s.filesWritten,
      removed: s.filesRemoved,
      quarantined: s.quarantined.length,
      records: s.records,
      observations: s.observations,
      hoursMerged: s.hoursMerged,
      hoursSkipped: s.hoursSkipped,
      problems: s.problems,
      quarantinedFiles: s.quarantined,
      warnings: s.warnings.length,
    },
    [
      `merged ${s.hoursMerged} hour(s), ${s.hoursSkipped} already settled; read ${s.filesRead} file(s), wrote ${s.filesWritten}, removed ${s.filesRemoved}`,
      `  ${s.records} records, ${s.observations} observations`,
      ...s.quarantined.map((q) => `  quarantined ${q.path}: ${q.reason.replace(/\n/g, '; ')}`),
      ...s.problems.map((p) => `  problem: ${p.path}: ${p.reason}`),
    ].join('\n'),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
