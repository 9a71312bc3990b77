/** `chat-archiver emotes`: stores the images a whole archive's chat needs (issue 11). */
import type { Command } from 'commander';
import { listChannels } from '../archive/layout.js';
import { archiveImages, type ArchiveImagesSummary } from '../images/archive-images.js';
import { resolveHelixAuth, type BadgeRun, type HelixAuth } from '../images/badges.js';
import { openImageContext } from '../images/download.js';
import type { SetRun } from '../images/emote-sets.js';
import type { ImageProblem } from '../images/tally.js';
import { addImageOptions, imageSettings, type ImageFlags } from './image-options.js';
import {
  channelOption,
  EXIT_OK,
  EXIT_PROBLEMS,
  interruptSignal,
  plural,
  readTokenFile,
  reporter,
  requireFolder,
  UsageError,
} from './output.js';

interface EmotesOptions extends ImageFlags {
  segments: string;
  channel?: string[];
  tokenFile?: string;
  retryMissing?: boolean;
  concurrency: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('emotes')
    .description(
      "store the images an archive's chat needs: Twitch emotes, 7TV/BetterTTV/FrankerFaceZ sets, badges (with a token), linked media (--media)",
    )
    .requiredOption('--segments <dir>', 'the archive')
    .option(
      '--channel <name>',
      'only this channel (repeat for more; all by default)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--token-file <file>',
      'a Twitch OAuth token (a chat login token works) for badges; without one badges stay text',
    )
    .option('--retry-missing', 'ask again for images remembered as missing (404) in the last 7 days')
    .option('--concurrency <n>', 'requests at once', '6');
  addImageOptions(cmd)
    .option('--json', 'print one JSON summary on stdout')
    .action((o: EmotesOptions) => emotes(o));
}

const problemLine = (p: ImageProblem) =>
  `  ${p.source === 'twitch' ? 'emote' : p.source} ${p.id}${p.file ? ` ${p.file}` : ''}: ${p.reason}${p.known ? ' (remembered; --retry-missing asks again)' : ''}`;

function setLine(r: SetRun | BadgeRun): string {
  const where = r.channel ? `#${r.channel}` : 'global';
  if (r.error) return `  ${r.source} ${where}: ${r.error}`;
  const count = 'emotes' in r ? plural(r.emotes, 'emote') : plural(r.sets, 'badge set');
  return `  ${r.source} ${where}: ${count}, ${r.snapshot?.written ? 'new snapshot' : 'unchanged since the last snapshot'}`;
}

async function emotes(o: EmotesOptions): Promise<void> {
  requireFolder(o.segments);
  const channels = [...new Set((o.channel ?? []).map((c) => channelOption(c)))];
  const archived = new Set((await listChannels(o.segments)).channels);
  const unknown = channels.find((c) => !archived.has(c));
  if (unknown) throw new UsageError(`#${unknown} has no chat in ${o.segments}`);
  const images = imageSettings(o);
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency must be 1–64, not ${o.concurrency}`);
  const token = o.tokenFile === undefined ? null : readTokenFile(o.tokenFile);
  const out = reporter(!!o.json);
  const signal = interruptSignal();
  const ctx = await openImageContext({
    segments: o.segments,
    sources: images.sources,
    allowLoopback: images.allowLoopback,
    concurrency,
    signal,
    retryMissing: !!o.retryMissing,
  });

  let badges: HelixAuth | null = null;
  let badgeNote: string | null = token ? null : 'badges: skipped (no --token-file: badges stay text)';
  if (token) {
    const auth = await resolveHelixAuth(ctx, token, images.clientId);
    if (auth.ok) badges = auth.value;
    else badgeNote = `badges: ${auth.reason}`;
  }

  const s: ArchiveImagesSummary = await archiveImages(ctx, {
    channels,
    thirdParty: images.thirdParty,
    badges,
    media: images.media,
    mediaMaxBytes: images.mediaMaxBytes,
    onProgress: (phase, done, total) => out.progress(phase, done, total),
  });
  const t = s.tally;
  const fresh = t.missing.filter((m) => !m.known);
  const known = t.missing.filter((m) => m.known);
  const setErrors = s.sets.filter((r) => r.error);
  const problems = fresh.length + t.failed.length + setErrors.length + (token && !badges ? 1 : 0);
  const lines = [
    `${s.cancelled ? 'cancelled after reading' : 'read'} ${plural(s.files, 'file')} (${plural(s.records, 'record')}): ${plural(s.emoteIds, 'Twitch emote')}${images.media ? `, ${plural(s.links, 'link')}` : ''}`,
    `images: ${t.stored} stored, ${t.present} already there, ${fresh.length} missing, ${known.length} known missing, ${t.failed.length} failed (tried again next run)`,
    ...(s.sets.length ? ['sets:', ...s.sets.map(setLine)] : []),
    ...(badgeNote ? [badgeNote] : []),
    ...(fresh.length ? ['missing:', ...fresh.map(problemLine)] : []),
    ...(t.failed.length ? ['failed:', ...t.failed.map(problemLine)] : []),
    ...(known.length ? [`known missing: ${known.map((m) => `${m.id}${m.file ? ` ${m.file}` : ''}`).join(', ')}`] : []),
  ];
  out.result(
    {
      ok: problems === 0 && !s.cancelled,
      cancelled: s.cancelled,
      filesRead: s.files,
      records: s.records,
      emoteIds: s.emoteIds,
      links: s.links,
      stored: t.stored,
      present: t.present,
      missing: fresh,
      knownMissing: known,
      failed: t.failed,
      sets: s.sets,
      badges: badgeNote,
    },
    lines.join('\n'),
  );
  process.exitCode = problems || s.cancelled ? EXIT_PROBLEMS : EXIT_OK;
}
