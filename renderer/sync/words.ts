/** What the Sync panel says (pure): states, peers and sizes in plain words. */
import type { SyncPeer, SyncStatus } from '../../app/service/contract.js';

export const STATE_WORDS: Record<SyncStatus['state'], string> = {
  off: 'Off',
  starting: 'Starting…',
  running: 'Syncing',
  stopping: 'Stopping…',
  error: 'Not syncing: a problem',
};

/** What people paste (lower case, spaces, no dashes) in Syncthing's form; the service checks it. */
export function normalizeDeviceId(typed: string): string {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  return bare.length === 56 ? bare.match(/.{7}/g)!.join('-') : typed.trim().toUpperCase();
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `3 minutes ago`, `2 days ago`; now is Unix seconds. */
export function ago(t: number | null, now: number): string {
  if (t === null) return 'never';
  const s = Math.max(0, now - t);
  if (s < 60) return 'just now';
  const [n, unit] = s < 3600 ? [s / 60, 'minute'] : s < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  const k = Math.floor(n);
  return `${k} ${unit}${k === 1 ? '' : 's'} ago`;
}

export function peerState(p: SyncPeer, now: number): string {
  if (p.paused) return 'paused';
  if (p.connected)
    return `connected${p.address ? ` at ${p.address}` : ''}${p.completion !== null ? `, ${p.completion.toFixed(p.completion === 100 ? 0 : 1)} % in sync` : ''}`;
  return `not connected (last seen ${ago(p.lastSeen, now)})`;
}

/** Hours of one channel still arriving, as hour starts. */
export const arrivingHours = (s: SyncStatus | null, channel: string | null) =>
  s && channel ? s.arriving.filter((a) => a.channel === channel).map((a) => a.hour) : [];
