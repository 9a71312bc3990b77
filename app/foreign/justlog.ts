/**
 * `justlog`: a justlog logs folder (gempir/justlog filelog): `<room-id>/<year>/<month>/<day>/channel.txt`
 * with every line of a channel's day, and `<room-id>/<year>/<month>/<user-id>.txt` with each
 * user's lines of the month again; `.gz` once justlog's archiver compressed them. Month and day
 * are not zero-padded. Lines are raw IRC (PRIVMSG, USERNOTICE, CLEARCHAT), written as received.
 *
 * A room is one receiver. Its day files are read first, in date order; the per-user files then
 * only for lines outside the time the day files cover (a day whose file is missing): reading the
 * same lines twice would only cost time. The source may be the logs folder or one room's folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Stray } from '../archive/layout.js';
import { RawTimer } from './raw-lines.js';
import { rawFileItems } from './irc-log.js';
import type { Enumerated, Reader, Unit, UnitFile } from './source.js';

const NUMBER = /^\d+$/;
const YEAR = /^\d{4}$/;
const CHANNEL_FILE = /^channel\.txt(?:\.gz)?$/;
const USER_FILE = /^(\d+)\.txt(?:\.gz)?$/;

async function dirents(dir: string, out: Enumerated) {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  } catch (e) {
    out.problems.push({ path: dir, reason: `cannot read folder: ${(e as Error).message}` });
    return [];
  }
}

const byNumber = (a: { name: string }, b: { name: string }) =>
  Number(a.name) - Number(b.name) || (a.name < b.name ? -1 : 1);

async function fileOf(src: string, p: string): Promise<UnitFile> {
  return { path: p, rel: path.relative(src, p), size: (await fs.stat(p).catch(() => null))?.size ?? 0 };
}

/** A room folder's day files (in date order) and per-user files. */
async function room(src: string, dir: string, out: Enumerated): Promise<UnitFile[]> {
  const days: UnitFile[] = [];
  const users: UnitFile[] = [];
  const stray = (p: string, reason: string) => out.strays.push({ path: p, reason } satisfies Stray);
  for (const y of (await dirents(dir, out)).sort(byNumber)) {
    const yp = path.join(dir, y.name);
    if (!y.isDirectory() || !YEAR.test(y.name)) {
      stray(yp, 'not a justlog year folder');
      continue;
    }
    for (const m of (await dirents(yp, out)).sort(byNumber)) {
      const mp = path.join(yp, m.name);
      if (!m.isDirectory() || !NUMBER.test(m.name)) {
        stray(mp, 'not a justlog month folder');
        continue;
      }
      for (const d of (await dirents(mp, out)).sort(byNumber)) {
        const dp = path.join(mp, d.name);
        if (d.isFile() && USER_FILE.test(d.name)) users.push(await fileOf(src, dp));
        else if (d.isDirectory() && NUMBER.test(d.name)) {
          for (const f of await dirents(dp, out)) {
            const fp = path.join(dp, f.name);
            if (f.isFile() && CHANNEL_FILE.test(f.name)) days.push(await fileOf(src, fp));
            else stray(fp, 'not a justlog channel log (channel.txt)');
          }
        } else stray(dp, d.isSymbolicLink() ? 'symbolic link, not followed' : 'not a justlog day folder or user log');
      }
    }
  }
  return [...days, ...users];
}

/** Which of a folder's entries make it a logs folder (room ids) or one room (years). */
export async function justlogShape(src: string): Promise<'logs' | 'room' | null> {
  const entries = await fs.readdir(src, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  if (dirs.length === 0) return null;
  if (dirs.every((e) => YEAR.test(e.name))) {
    const inner = await fs.readdir(path.join(src, dirs[0]!.name), { withFileTypes: true }).catch(() => []);
    if (inner.some((e) => e.isDirectory() && NUMBER.test(e.name))) return 'room';
  }
  for (const d of dirs.filter((e) => NUMBER.test(e.name)).slice(0, 3)) {
    const inner = await fs.readdir(path.join(src, d.name), { withFileTypes: true }).catch(() => []);
    if (inner.some((e) => e.isDirectory() && YEAR.test(e.name))) return 'logs';
  }
  return null;
}

/** Time spans the day files cover, to skip the per-user copies of their lines. */
class Covered {
  private spans: Array<[number, number]> = [];
  add(lo: number, hi: number) {
    this.spans.push([lo, hi]);
  }
  has(t: number): boolean {
    return this.spans.some(([lo, hi]) => t >= lo && t <= hi);
  }
}

const TS = /(?:^@|;)tmi-sent-ts=(\d+)[; ]/;

export const justlog: Reader = {
  format: 'justlog',
  counter: '0',
  fingerprint: 'first-line',
  async enumerate(src) {
    const out: Enumerated = { units: [], strays: [], problems: [] };
    const shape = await justlogShape(src);
    if (shape === null) {
      out.problems.push({
        path: src,
        reason: 'not a justlog logs folder (<room-id>/<year>/<month>/<day>/channel.txt) nor one room of it',
      });
      return out;
    }
    const rooms: Array<{ id: string; dir: string }> = [];
    if (shape === 'room') rooms.push({ id: path.basename(src), dir: src });
    else
      for (const e of (await dirents(src, out)).sort(byNumber)) {
        const p = path.join(src, e.name);
        if (e.isDirectory() && NUMBER.test(e.name)) rooms.push({ id: e.name, dir: p });
        else out.strays.push({ path: p, reason: 'not a justlog room folder (a numeric room id)' });
      }
    for (const r of rooms) {
      const files = await room(src, r.dir, out);
      if (files.length) out.units.push({ label: `${src} (room ${r.id})`, files, channel: null });
    }
    return out;
  },
  async *read(unit: Unit, ctx) {
    const covered = new Covered();
    const timer = new RawTimer();
    const userTimer = new RawTimer();
    for (let i = 0; i < unit.files.length; i++) {
      ctx.signal?.throwIfAborted();
      const f = unit.files[i]!;
      if (CHANNEL_FILE.test(path.basename(f.path))) {
        let lo = Infinity;
        let hi = -Infinity;
        for await (const item of rawFileItems(f.path, i, timer, ctx)) {
          if (item.kind === 'record' && item.range === 0) {
            if (item.time < lo) lo = item.time;
            if (item.time > hi) hi = item.time;
          }
          yield item;
        }
        if (lo <= hi) covered.add(lo, hi);
      } else
        yield* rawFileItems(f.path, i, userTimer, ctx, (text) => {
          const ts = TS.exec(text);
          return ts && covered.has(Number(ts[1]) / 1000) ? 'per-user copies of lines the day files hold' : null;
        });
    }
    yield* timer.end();
    yield* userTimer.end();
  },
};
