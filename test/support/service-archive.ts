/** Temp archives for service and HTTP tests: generated records written through the archive core. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChatRecord } from '../../app/archive/record.js';
import { writeBatch, writeRecords } from '../../app/archive/store.js';
import { hourDir, hourStart } from '../../app/archive/layout.js';

export async function tempDir(prefix = 'ca-service-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function chatRecord(
  time: number,
  receiver: string,
  text: string,
  command = 'PRIVMSG',
  channel = 'testchan',
): ChatRecord {
  return {
    command,
    params: command === 'JOIN' || command === 'PART' ? [`#${channel}`] : [`#${channel}`, text],
    sender: 'someone',
    user: 'someone',
    host: 'someone.tmi.twitch.tv',
    tags: command === 'PRIVMSG' ? { id: `id-${text}`, 'tmi-sent-ts': String(Math.round(time * 1000)) } : null,
    time,
    time_range: 0,
    receivers: { [receiver]: time + 0.2 },
    receiver_ranges: { [receiver]: [time, 0] },
  };
}

/** 2024-01-06T16:00Z, the hour of the real fixture. */
export const T0 = 1704556800;

/**
 * A small channel with known shape: minutes 0-4 recorded by receiver a (3 messages each),
 * minute 2 also by b in a second file (a pending merge), minutes 5-9 nobody recorded,
 * minute 10 by b with one JOIN.
 */
export async function writeShapedChannel(segments: string, channel = 'testchan'): Promise<void> {
  const recs: ChatRecord[] = [];
  for (let m = 0; m < 5; m++)
    for (let i = 0; i < 3; i++)
      recs.push(chatRecord(T0 + m * 60 + i * 10, 'a.aaaaa.0', `m${m}-${i}`, 'PRIVMSG', channel));
  await writeRecords(segments, channel, recs);
  await writeBatch(hourDir(segments, channel, hourStart(T0)), T0 + 120, [
    chatRecord(T0 + 125, 'b.bbbbb.0', 'from-b', 'PRIVMSG', channel),
  ]);
  await writeRecords(segments, channel, [chatRecord(T0 + 600, 'b.bbbbb.0', '', 'JOIN', channel)]);
}
