/**
 * The sample archive a first run offers: the bundled real recent-messages capture of
 * #nymn, stored as one receiver would have recorded it from the history service.
 */
import { parseIrcLine } from '../archive/irc-parse.js';
import { stripHistoryTags } from '../archive/line-rules.js';
import type { ChatRecord } from '../archive/record.js';
import { writeRecords } from '../archive/store.js';

export const SAMPLE_CHANNEL = 'nymn';
const SAMPLE_RECEIVER = 'sample.nymn0.0';

/** Pure: recent-messages lines → records (exact server time; the service's receive time). */
export function sampleRecords(lines: readonly string[]): ChatRecord[] {
  const out: ChatRecord[] = [];
  for (const raw of lines) {
    const parsed = parseIrcLine(raw);
    if (!parsed) continue;
    const sent = Number(parsed.tags?.['tmi-sent-ts']);
    const received = Number(parsed.tags?.['rm-received-ts']);
    if (!Number.isFinite(sent)) continue;
    const line = stripHistoryTags(parsed);
    const time = sent / 1000;
    out.push({
      ...line,
      time,
      time_range: 0,
      receivers: { [SAMPLE_RECEIVER]: Number.isFinite(received) ? received / 1000 : time },
      receiver_ranges: { [SAMPLE_RECEIVER]: [time, 0] },
    });
  }
  return out;
}

export async function writeSampleArchive(segments: string): Promise<{ channel: string; records: number }> {
  const data = (await import('./sample/recentmessages-nymn.json', { with: { type: 'json' } })).default as {
    messages: string[];
  };
  const records = sampleRecords(data.messages);
  await writeRecords(segments, SAMPLE_CHANNEL, records);
  return { channel: SAMPLE_CHANNEL, records: records.length };
}
