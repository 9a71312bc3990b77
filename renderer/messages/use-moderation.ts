/**
 * The moderation events around a span and, for each CLEARCHAT, the messages it struck
 * through: fetched with server-side filters, so they cost a few small requests, not a
 * scan of the span.
 */
import { useEffect, useState } from 'react';
import type { RecordRow } from '../../app/service/contract.js';
import type { RecordsQuery } from './paged-records.js';
import { api } from '../api.js';
import { HOUR } from '../format.js';
import { login } from './describe.js';
import { indexModeration, removes, type ModerationIndex } from './moderation.js';

export interface Moderation {
  index: ModerationIndex;
  /** CLEARCHAT/CLEARMSG key → the rows it removed, in time order. */
  targets: Map<string, RecordRow[]>;
}

export const NO_MODERATION: Moderation = { index: indexModeration([]), targets: new Map() };
/** Timeouts a while after the span still strike messages inside it. */
const LOOK_AHEAD = HOUR;
/** Beyond this many events in a span, targets are listed for the first ones only. */
const MAX_TARGET_LOOKUPS = 40;

async function allRows(args: RecordsQuery): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  for (let offset = 0; offset < 20_000; offset += 5000) {
    const res = await api.records({ ...args, offset, limit: 5000 });
    if (!res.ok) break;
    rows.push(...res.value.rows);
    if (rows.length >= res.value.total || res.value.rows.length === 0) break;
  }
  return rows;
}

export function useModeration(channel: string | null, span: [number, number] | null, version: number): Moderation {
  const [mod, setMod] = useState<Moderation>(NO_MODERATION);
  const from = span?.[0];
  const to = span?.[1];
  useEffect(() => {
    if (!channel || from === undefined || to === undefined) return setMod(NO_MODERATION);
    let live = true;
    void (async () => {
      const events = await allRows({
        channel,
        from,
        to: to + LOOK_AHEAD,
        filter: { commands: ['CLEARCHAT', 'CLEARMSG'] },
      });
      const index = indexModeration(events);
      const targets = new Map<string, RecordRow[]>();
      for (const e of [...index.byKey.values()].slice(0, MAX_TARGET_LOOKUPS)) {
        if (!e.target || e.time < from) continue;
        const rows = await allRows({
          channel,
          from,
          to: Math.min(e.time + 0.001, to),
          filter: { user: e.target, commands: ['PRIVMSG', 'USERNOTICE'] },
        });
        targets.set(
          e.key,
          rows.filter((r) => login(r.record)?.toLowerCase() === e.target && removes(index, e, r.record)),
        );
      }
      if (live) setMod({ index, targets });
    })();
    return () => {
      live = false;
    };
  }, [channel, from, to, version]);
  return mod;
}
