/** `chat-archiver pull --segments S URL`: fetch what a peer's `serve` has and this archive lacks, then merge it. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { HttpArchiveClient } from '../service/http-client.js';
import type { Result } from '../service/contract.js';
import { httpUrl } from '../service/contract.js';
import { pull, type PullSource } from '../sync/pull.js';
import {
  channelOption,
  EXIT_OK,
  EXIT_PROBLEMS,
  UsageError,
  interruptSignal,
  isAbort,
  option,
  reporter,
} from './output.js';

/** The peer over HTTP, through the API's own client; its answers are checked by pull itself. */
function httpSource(url: string, token: string | undefined): PullSource {
  const api = new HttpArchiveClient({ baseUrl: url, token, EventSource: null });
  const value = async <T>(what: string, r: Promise<Result<T>>): Promise<T> => {
    const res = await r;
    if (!res.ok) throw new Error(`${url}: ${what}: ${res.error.message}`);
    return res.value;
  };
  return {
    channels: () => value('listing channels', api.listChannels({})),
    hours: (channel) => value(`listing hours of #${channel}`, api.archiveHours({ channel })),
    files: (channel, hours) => value(`listing files of #${channel}`, api.archiveFiles({ channel, hours })),
    file: async (channel, hour, name) => {
      const r = await api.archiveFile({ channel, hour, name });
      if (!r.ok && r.error.code === 'not_found') return null;
      const { bytes } = await value(`fetching ${name}`, Promise.resolve(r));
      if (typeof bytes !== 'string') throw new Error(`${url}: fetching ${name}: no bytes in the answer`);
      return Buffer.from(bytes, 'base64');
    },
  };
}

export function register(program: Command): void {
  program
    .command('pull')
    .description(
      "fetch what a peer's `chat-archiver serve` has and this archive lacks (verified by hash, resumable), then merge it",
    )
    .argument('<url>', 'the peer, e.g. http://192.0.2.7:8417')
    .requiredOption('--segments <dir>', 'this archive (created if missing)')
    .option('--channel <name>', 'only this channel')
    .option('--token-file <file>', "file holding the peer's --token (also: CHAT_ARCHIVER_TOKEN)")
    .option('--json', 'print one JSON summary on stdout')
    .action(async (url: string, o: { segments: string; channel?: string; tokenFile?: string; json?: boolean }) => {
      const base = option(httpUrl, url, 'URL').replace(/\/+$/, '');
      const channel = o.channel === undefined ? undefined : channelOption(o.channel);
      let token = process.env.CHAT_ARCHIVER_TOKEN || undefined;
      if (o.tokenFile !== undefined) {
        try {
          token = readFileSync(o.tokenFile, 'utf8').trim();
        } catch (e) {
          throw new UsageError(`cannot read --token-file: ${(e as Error).message}`);
        }
      }
      const out = reporter(!!o.json);
      try {
        const s = await pull(o.segments, httpSource(base, token), {
          peer: base,
          channel,
          signal: interruptSignal(),
          onProgress: (p) => out.progress(`pull #${p.channel}`, p.hoursDone, p.hoursTotal, `${p.filesFetched} fetched`),
        });
        const quarantined = s.imports.flatMap((i) => i.quarantined);
        const problems = s.imports.flatMap((i) => [...i.problems, ...i.merge.problems]);
        const newObservations = s.imports.reduce((n, i) => n + i.newObservations, 0);
        const bad = s.rejected.length + quarantined.length + problems.length;
        out.result(
          {
            ok: bad === 0,
            channels: s.channels,
            hoursChecked: s.hoursChecked,
            hoursUnchanged: s.hoursUnchanged,
            filesListed: s.filesListed,
            filesPresent: s.filesPresent,
            filesFetched: s.filesFetched,
            bytesFetched: s.bytesFetched,
            filesGone: s.filesGone,
            newObservations,
            rejected: s.rejected,
            quarantined: quarantined.map(({ path, reason }) => ({ path, reason })),
            problems,
          },
          [
            `pulled from ${base}: ${s.channels} channel(s), ${s.hoursChecked} hour(s) (${s.hoursUnchanged} unchanged since the last pull)`,
            `  ${s.filesFetched} file(s) fetched (${s.bytesFetched} bytes), ${s.filesPresent} already here, ${newObservations} new observation(s)`,
            ...(s.filesGone
              ? [`  ${s.filesGone} file(s) merged away at the peer meanwhile: pull again to get their successors`]
              : []),
            ...s.rejected.map((r) => `  rejected ${r.path}: ${r.reason}`),
            ...quarantined.map((q) => `  quarantined ${q.path}: ${q.reason.replace(/\n/g, '; ')}`),
            ...problems.map((p) => `  problem: ${p.path}: ${p.reason}`),
          ].join('\n'),
        );
        process.exitCode = bad ? EXIT_PROBLEMS : EXIT_OK;
      } catch (e) {
        out.warn(isAbort(e) ? 'pull cancelled; run it again to continue' : `pull failed: ${(e as Error).message}`);
        process.exitCode = EXIT_PROBLEMS;
      }
    });
}
