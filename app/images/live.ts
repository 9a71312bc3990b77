/**
 * Images while recording (issue 11 item 1, "live"): told of the lines the recorder keeps
 * (wired to app/record/observer.ts by the CLI and the service), it notes new emote ids, each channel's Twitch user id and
 * (opt-in) links, and fetches them in the background. Recording never waits for it: the
 * observer only reads tags and appends to a bounded queue; when the queue is full new work
 * is dropped and counted (an id dropped is noted again the next time it is seen; `chat-archiver
 * emotes` catches up on the rest). Channel and global sets are snapshotted when a channel's
 * first line arrives and again every `refreshSeconds` while it is recorded.
 */
import type { IrcFields } from '../archive/record.js';
import { archiveSets, type SetOptions } from './archive-images.js';
import { resolveHelixAuth, type HelixAuth } from './badges.js';
import { openImageContext, type ContextOptions, type ImageContext } from './download.js';
import { archiveMedia, DEFAULT_MEDIA_MAX_BYTES, linksOf } from './media.js';
import { Tally, type ImageProblem } from './tally.js';
import { emoteIdsOf, fetchTwitchEmote } from './twitch-emotes.js';
import type { BadgeRun } from './badges.js';
import type { SetRun } from './emote-sets.js';

export interface LiveImagesOptions extends Omit<ContextOptions, 'signal'> {
  thirdParty?: boolean;
  /** A token for Helix badges (the client id is asked from Twitch when not given); none: badges stay text. */
  badgeToken?: { token: string; clientId?: string } | null;
  media?: boolean;
  mediaMaxBytes?: number;
  /** Jobs waiting at most; more are dropped (and counted). */
  queueLimit?: number;
  /** Jobs running at once (each job's requests also share the context's limit). */
  workers?: number;
  refreshSeconds?: number;
  now?: () => number;
  /** An image that is not there, or a set that could not be had: for the log. */
  onProblem?: (p: ImageProblem) => void;
  onSetError?: (run: SetRun | BadgeRun) => void;
}

type Job =
  | { kind: 'emote'; id: string }
  | { kind: 'sets'; channel: string | null; room: string | null }
  | { kind: 'media'; url: string };

export interface LiveImagesStats {
  queued: number;
  running: number;
  dropped: number;
}

const ROOM_ID = /^[0-9]{1,20}$/;
/** Ids remembered as seen at most; past that the memory starts over (ids are then checked on disk again). */
const SEEN_LIMIT = 200_000;

export class LiveImages {
  private readonly queue: Job[] = [];
  private readonly seen = new Set<string>();
  /** channel → when its sets were last queued, and for which room id. */
  private readonly setsAt = new Map<string, { at: number; room: string }>();
  private globalAt = -Infinity;
  private running = 0;
  private dropped = 0;
  private closed = false;
  private readonly idle = new Set<() => void>();
  private badges: Promise<HelixAuth | null> | null = null;
  private readonly tally = new Tally();

  private readonly abort = new AbortController();
  /** Opened in the background (it reads the memory of failures); jobs wait for it. */
  private readonly ctx: Promise<ImageContext>;

  constructor(private readonly o: LiveImagesOptions) {
    this.ctx = openImageContext({ ...o, signal: this.abort.signal });
  }

  stats(): LiveImagesStats {
    return { queued: this.queue.length, running: this.running, dropped: this.dropped };
  }

  private get now(): number {
    return (this.o.now ?? (() => Date.now() / 1000))();
  }

  /** A line kept by the recorder. On the receive path: reads a few tags, queues what is new, returns. */
  noteLine(channel: string, line: IrcFields): void {
    if (this.closed) return;
    const tags = line.tags;
    if (!tags) return;
    for (const id of emoteIdsOf(tags.emotes)) {
      if (this.seen.has(id)) continue;
      if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
      if (this.push({ kind: 'emote', id })) this.seen.add(id);
    }
    const room = tags['room-id'];
    if ((this.o.thirdParty || this.o.badgeToken) && typeof room === 'string' && ROOM_ID.test(room)) {
      const now = this.now;
      const refresh = this.o.refreshSeconds ?? 3600;
      if (now - this.globalAt >= refresh && this.push({ kind: 'sets', channel: null, room: null })) this.globalAt = now;
      const last = this.setsAt.get(channel);
      if ((!last || last.room !== room || now - last.at >= refresh) && this.push({ kind: 'sets', channel, room }))
        this.setsAt.set(channel, { at: now, room });
    }
    if (this.o.media && line.command === 'PRIVMSG') {
      for (const url of linksOf(line.params[line.params.length - 1] ?? '')) {
        const key = `media:${url}`;
        if (!this.seen.has(key) && this.push({ kind: 'media', url })) this.seen.add(key);
      }
    }
  }

  private push(job: Job): boolean {
    if (this.queue.length >= (this.o.queueLimit ?? 10_000)) {
      this.dropped++;
      return false;
    }
    this.queue.push(job);
    this.pump();
    return true;
  }

  private pump(): void {
    while (!this.closed && this.running < (this.o.workers ?? 4) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(job)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const f of this.idle) f();
        });
    }
  }

  private async run(job: Job): Promise<void> {
    const ctx = await this.ctx;
    const tally = new Tally();
    if (job.kind === 'emote') {
      await fetchTwitchEmote(ctx, job.id, tally);
    } else if (job.kind === 'media') {
      tally.add(
        'media',
        job.url,
        '',
        await archiveMedia(ctx, job.url, this.o.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES),
      );
    } else {
      const opts: SetOptions = { thirdParty: this.o.thirdParty ?? false, badges: await this.badgeAuth(ctx) };
      for (const run of await archiveSets(ctx, job.channel, job.room, opts, tally))
        if (run.error) this.o.onSetError?.(run);
    }
    for (const p of [...tally.missing.filter((m) => !m.known), ...tally.failed]) this.o.onProblem?.(p);
    this.tally.addAll(tally);
    await ctx.memory.save().catch(() => undefined);
  }

  /** Helix credentials, asked for once; a refused token turns badges off for this recording. */
  private badgeAuth(ctx: ImageContext): Promise<HelixAuth | null> {
    const t = this.o.badgeToken;
    if (!t) return Promise.resolve(null);
    this.badges ??= resolveHelixAuth(ctx, t.token, t.clientId).then((r) => {
      if (r.ok) return r.value;
      this.o.onSetError?.({ source: 'badges', channel: null, error: r.reason, sets: 0, snapshot: null });
      return null;
    });
    return this.badges;
  }

  /** Resolves once nothing is queued or running (tests, and `stop` of a short recording). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  /** Stops: what is queued is dropped (fetched next time), requests in flight are cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.abort.abort();
    if (this.running > 0) await new Promise<void>((r) => this.idle.add(r));
    await (await this.ctx).memory.save().catch(() => undefined);
  }

  /** What was fetched so far (counts and problems). */
  get results(): Tally {
    return this.tally;
  }
}
