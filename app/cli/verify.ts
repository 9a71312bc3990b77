import type { Command } from 'commander';
import { hasErrors, verifyArchive } from '../archive/verify.js';
import { channelOption, EXIT_OK, EXIT_PROBLEMS, interruptSignal, requireFolder, isAbort, reporter } from './output.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'check an archive: names and hashes, canonical bytes, records in the wrong minute or hour, invalid records, unmerged minutes, stray files',
    )
    .requiredOption('--segments <dir>', 'the archive')
    .option('--channel <name>', 'only this channel')
    .option('--json', 'print one JSON summary on stdout')
    .action(async (o: { segments: string; channel?: string; json?: boolean }) => {
      const channel = o.channel === undefined ? undefined : channelOption(o.channel);
      requireFolder(o.segments);
      const out = reporter(!!o.json);
      try {
        const r = await verifyArchive(o.segments, {
          channel,
          signal: interruptSignal(),
          onProgress: (p) => out.progress('verify', p.hoursDone, p.hoursTotal),
        });
        const errors = r.problems.filter((p) => p.severity === 'error').length;
        out.result(
          {
            ok: !hasErrors(r),
            filesRead: r.files,
            written: 0,
            removed: 0,
            quarantined: 0,
            records: r.records,
            observations: r.observations,
            hours: r.hours,
            errors,
            warnings: r.problems.length - errors,
            problems: r.problems,
          },
          [
            `${r.files} file(s) in ${r.hours} hour(s): ${r.records} records, ${r.observations} observations`,
            ...r.problems.map((p) => `  ${p.severity} ${p.kind}: ${p.path}: ${p.message}`),
            errors ? `${errors} problem(s) found` : 'archive is clean',
          ].join('\n'),
        );
        process.exitCode = hasErrors(r) ? EXIT_PROBLEMS : EXIT_OK;
      } catch (e) {
        out.warn(isAbort(e) ? 'verify cancelled' : `verify failed: ${(e as Error).message}`);
        process.exitCode = EXIT_PROBLEMS;
      }
    });
}
