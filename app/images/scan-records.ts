/**
 * What an archive's records say about images: the Twitch emote ids of their `emotes` tags,
 * each channel's Twitch user id (`room-id`), and (when asked) the links in messages. Reads
 * batch files line by line and parses only the lines that can tell something new; a line
 * that does not parse is verify's business, not ours, and is passed over.
 */
import { promises as fs } from 'node:fs';
import { listBatchFiles, listChannels, listHours, hourDir } from '../archive/layout.js';
import type { ChatRecord } from '../archive/record.js';
import { emoteIdsOf } from './twitch-emotes.js';
import { linksOf } from './media.js';

export interface ScanResult {
  emoteIds: Set<string>;
  /** channel → its Twitch user ids (one, unless the records disagree). */
  roomIds: Map<string, Set<string>>;
  links: Set<string>;
  files: number;
  records: number;
}

export interface ScanOptions {
  /** Only these channels (all when absent or empty). */
  channels?: string[];
  links?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const ROOM_ID = /^[0-9]{1,20}$/;

export async function scanRecords(segments: string, o: ScanOptions = {}): Promise<ScanResult> {
  const out: ScanResult = { emoteIds: new Set(), roomIds: new Map(), links: new Set(), files: 0, records: 0 };
  const channels = o.channels?.length ? o.channels : (await listChannels(segments)).channels;
  const files: Array<{ channel: string; path: string }> = [];
  for (const channel of channels) {
    for (const hour of (await listHours(segments, channel)).hours) {
      for (const f of (await listBatchFiles(hourDir(segments, channel, hour), hour)).files)
        files.push({ channel, path: f.path });
    }
  }
  for (const f of files) {
    if (o.signal?.aborted) break;
    let text: string;
    try {
      text = await fs.readFile(f.path, 'utf8');
    } catch {
      continue; // merged away meanwhile: its records are in the file that replaced it
    }
    let rooms = out.roomIds.get(f.channel);
    if (!rooms) out.roomIds.set(f.channel, (rooms = new Set()));
    for (const line of text.split('\n')) {
      if (!line) continue;
      out.records++;
      const emotes = line.includes('"emotes":"') && !line.includes('"emotes":""');
      const link = o.links === true && line.includes('http');
      if (!emotes && !link && rooms.size > 0) continue;
      let r: ChatRecord;
      try {
        r = JSON.parse(line) as ChatRecord;
      } catch {
        continue;
      }
      const room = r.tags?.['room-id'];
      if (typeof room === 'string' && ROOM_ID.test(room)) rooms.add(room);
      for (const id of emoteIdsOf(r.tags?.emotes)) out.emoteIds.add(id);
      if (link && r.command === 'PRIVMSG' && Array.isArray(r.params))
        for (const l of linksOf(String(r.params[r.params.length - 1] ?? ''))) out.links.add(l);
    }
    out.files++;
    o.onProgress?.(out.files, files.length);
  }
  return out;
}
