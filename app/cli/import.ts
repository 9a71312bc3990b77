import type { Command } from 'commander';
import { importSegments } from '../archive/import.js';
import { EXIT_OK, EXIT_PROBLEMS, interruptSignal, isAbort, plural, reporter } from './output.js';

export function register(program: Command): void {
  program
    .command('import')
    .description(
      "fold other nodes' segments folders into an archive: validate, copy, merge (sources are never changed)",
    )
    .requiredOption('--segments <dir>', 'the archive to import into')
    .argument('<src...>', "other nodes' segments folders (<channel>/chat/<hour>/...)")
    .option('--json', 'print one JSON summary on stdout')
    .action(async (sources: string[], o: { segments: string; json?: boolean }) => {
      const out = reporter(!!o.json);
      const signal = interruptSignal();
      try {
        const s = await importSegments(o.segments, sources, {
          signal,
          onProgress: (c, phase) =>
            out.progress(
              phase,
              c.filesChecked,
              c.filesTotal,
              `${c.copied} copied, ${c.alreadyPresent} present, ${c.quarantined.length} quarantined`,
            ),
        });
        const lines = [
          `imported ${plural(sources.length, 'source')} into ${o.segments} (import ${s.importId})`,
          `  files checked ${s.filesChecked}, copied ${s.copied}, already present ${s.alreadyPresent}, quarantined ${s.quarantined.length}`,
          `  records merged ${s.recordsMerged}, new observations ${s.newObservations}`,
          `  files written ${s.merge.filesWritten}, removed ${s.merge.filesRemoved}`,
          ...s.quarantined.map(
            (q) => `  quarantined ${q.path}: ${q.reason.replace(/\n/g, '; ')}${q.copy ? ` (kept as ${q.copy})` : ''}`,
          ),
          ...s.nonCanonical.map((n) => `  not canonical, imported by its records: ${n.path}: ${n.reasons.join('; ')}`),
          ...s.problems.map((p) => `  problem: ${p.path}: ${p.reason}`),
          ...s.strays.map((p) => `  skipped: ${p.path}: ${p.reason}`),
        ];
        out.result(
          {
            ok: s.problems.length === 0 && s.quarantined.length === 0,
            importId: s.importId,
            filesRead: s.filesChecked - s.alreadyPresent + s.merge.filesRead,
            filesChecked: s.filesChecked,
            copied: s.copied,
            alreadyPresent: s.alreadyPresent,
            written: s.merge.filesWritten,
            removed: s.merge.filesRemoved,
            quarantined: s.quarantined.length,
            records: s.recordsMerged,
            observations: s.merge.observations,
            newObservations: s.newObservations,
            nonCanonical: s.nonCanonical,
            quarantinedFiles: s.quarantined,
            problems: s.problems,
            strays: s.strays,
          },
          lines.join('\n'),
        );
        process.exitCode = s.problems.length || s.quarantined.length ? EXIT_PROBLEMS : EXIT_OK;
      } catch (e) {
        out.warn(
          isAbort(e)
            ? 'import cancelled: the hours finished so far are merged, nothing is half-written'
            : `import failed: ${(e as Error).message}`,
        );
        process.exitCode = EXIT_PROBLEMS;
      }
    });
}
