import type { Command } from 'commander';
import { importSegments } from '../archive/import.js';
import { resolveFormat } from '../foreign/detect.js';
import { importForeign } from '../foreign/import-foreign.js';
import { FORMATS, type Format } from '../foreign/source.js';
import { userZone } from '../foreign/zone.js';
import { nodeName } from '../service/contract.js';
import {
  EXIT_OK,
  EXIT_PROBLEMS,
  UsageError,
  channelOption,
  interruptSignal,
  isAbort,
  option,
  plural,
  reporter,
  type Reporter,
} from './output.js';

const FROM = ['auto', 'segments', ...FORMATS] as const;
type From = (typeof FROM)[number];

interface Options {
  segments: string;
  from: string;
  channel?: string;
  node?: string;
  timezone?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('import')
    .description(
      "fold other nodes' segments folders, or chat other tools recorded, into an archive: validate, merge (sources are never changed)",
    )
    .requiredOption('--segments <dir>', 'the archive to import into')
    .argument('<src...>', "other nodes' segments folders, or the files or folders of --from's format")
    .option(
      '--from <format>',
      `what the sources are: ${FROM.join(', ')} (auto: told from each source's layout and first bytes)`,
      'auto',
    )
    .option('--channel <name>', 'only this channel; and the channel of sources that do not name theirs')
    .option('--node <name>', 'first part of the new receiver ids (default: the format, e.g. justlog.<slug>.0)')
    .option('--timezone <zone>', 'for Chatterino logs whose header does not place their time zone: IANA name or +HH:MM')
    .option('--json', 'print one JSON summary on stdout')
    .action(async (sources: string[], o: Options) => {
      if (!(FROM as readonly string[]).includes(o.from))
        throw new UsageError(`unknown format ${JSON.stringify(o.from)}: --from takes ${FROM.join(', ')}`);
      const channel = o.channel === undefined ? undefined : channelOption(o.channel);
      const node = o.node === undefined ? undefined : option(nodeName, o.node, '--node');
      if (o.timezone !== undefined && !userZone(o.timezone))
        throw new UsageError(
          `invalid --timezone ${JSON.stringify(o.timezone)}: not an IANA time zone nor an offset like +02:00`,
        );
      const resolved = await resolveFormat(sources, o.from as From);
      if (!resolved.ok) throw new UsageError(`${resolved.message} with --from`);
      const format = resolved.format;
      const out = reporter(!!o.json);
      const signal = interruptSignal();
      try {
        if (format === 'segments') {
          if (channel || node || o.timezone)
            throw new UsageError("--channel, --node and --timezone are for other tools' chat, not segments folders");
          await segments(o.segments, sources, out, signal);
        } else await foreign(o.segments, format, sources, { channel, node, timezone: o.timezone, signal }, out);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        out.warn(
          isAbort(e)
            ? 'import cancelled: the hours finished so far are merged, nothing is half-written'
            : `import failed: ${(e as Error).message}`,
        );
        process.exitCode = EXIT_PROBLEMS;
      }
    });
}

async function segments(dest: string, sources: string[], out: Reporter, signal: AbortSignal): Promise<void> {
  const s = await importSegments(dest, sources, {
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
    `imported ${plural(sources.length, 'source')} into ${dest} (import ${s.importId})`,
    `  files checked ${s.filesChecked}, copied ${s.copied}, already present ${s.alreadyPresent}, quarantined ${s.quarantined.length}`,
    `  records merged ${s.recordsMerged}, new observations ${s.newObservations}`,
    `  files written ${s.merge.filesWritten}, removed ${s.merge.filesRemoved}`,
    ...quarantinedLines(s.quarantined),
    ...s.nonCanonical.map((n) => `  not canonical, imported by its records: ${n.path}: ${n.reasons.join('; ')}`),
    ...s.problems.map((p) => `  problem: ${p.path}: ${p.reason}`),
    ...s.strays.map((p) => `  skipped: ${p.path}: ${p.reason}`),
  ];
  out.result(
    {
      ok: s.problems.length === 0 && s.quarantined.length === 0,
      format: 'segments',
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
}

const quarantinedLines = (q: Array<{ path: string; reason: string; copy: string | null }>) =>
  q.map((x) => `  quarantined ${x.path}: ${x.reason.replace(/\n/g, '; ')}${x.copy ? ` (kept as ${x.copy})` : ''}`);

async function foreign(
  dest: string,
  format: Format,
  sources: string[],
  opts: { channel?: string; node?: string; timezone?: string; signal: AbortSignal },
  out: Reporter,
): Promise<void> {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const s = await importForeign(dest, format, sources, {
    ...opts,
    onProgress: (p) =>
      p.phase === 'importing' &&
      out.progress(
        'importing (MB)',
        Math.round(p.bytesRead / 1e6),
        Math.max(1, Math.round(p.bytesTotal / 1e6)),
        `${p.filesChecked}/${p.filesTotal} files, ${p.linesImported} lines`,
      ),
  });
  const skipped = Object.entries(s.skipped).sort((a, b) => b[1] - a[1]);
  const lines = [
    `imported ${plural(sources.length, 'source')} (${format}) into ${dest} (import ${s.importId})`,
    ...s.receivers.map((r) => `  receiver ${r.id}: ${r.source}`),
    `  files checked ${s.filesChecked} (${mb(s.bytesRead)}), with new lines ${s.copied}, already present ${s.alreadyPresent}, with lines not imported ${s.quarantined.length}`,
    `  lines imported ${s.linesImported}, records merged ${s.recordsMerged}, new observations ${s.newObservations}`,
    ...skipped.map(([what, n]) => `  skipped ${n} ${what}`),
    `  files written ${s.merge.filesWritten}, removed ${s.merge.filesRemoved}`,
    ...quarantinedLines(s.quarantined),
    ...s.problems.map((p) => `  problem: ${p.path}: ${p.reason}`),
    ...s.strays.map((p) => `  skipped: ${p.path}: ${p.reason}`),
  ];
  out.result(
    {
      ok: s.problems.length === 0 && s.quarantined.length === 0,
      format,
      importId: s.importId,
      receivers: s.receivers,
      filesChecked: s.filesChecked,
      bytesRead: s.bytesRead,
      copied: s.copied,
      alreadyPresent: s.alreadyPresent,
      linesImported: s.linesImported,
      skipped: s.skipped,
      written: s.merge.filesWritten,
      removed: s.merge.filesRemoved,
      quarantined: s.quarantined.length,
      records: s.recordsMerged,
      newObservations: s.newObservations,
      quarantinedFiles: s.quarantined,
      problems: s.problems,
      strays: s.strays,
    },
    lines.join('\n'),
  );
  process.exitCode = s.problems.length || s.quarantined.length ? EXIT_PROBLEMS : EXIT_OK;
}
