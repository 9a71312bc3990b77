/**
 * What our Syncthing folder looks like on every node (pure): one fixed folder ID, so nodes
 * that add each other share the archive without anyone accepting a folder by hand;
 * send-receive; trash-can versioning; the file watcher on; and ignore patterns for
 * everything of ours that must never travel (`.stignore` is not synced, so every node
 * sets them itself).
 */
import { TEMP_PREFIX, parseHourName } from '../archive/layout.js';
import { CHANNEL } from '../rules.js';

export const FOLDER_ID = 'chat-archiver-segments';
export const FOLDER_LABEL = 'Chat Archiver segments';

/**
 * Our state (merge cache, journals, index, pull staging, a served archive's Syncthing
 * home), quarantine, and our temporaries. `(?d)` lets Syncthing delete a temporary of ours
 * when it blocks removing a folder a peer deleted.
 */
export const OUR_IGNORES = ['/.chat-archiver', '/.quarantine', `(?d)${TEMP_PREFIX}*.tmp`];
const BEGIN = '// chat-archiver: begin (kept up to date by Chat Archiver)';
const END = '// chat-archiver: end';

/** The folder's ignore lines with our block in place (added, or refreshed) and every other line kept. */
export function withOurIgnores(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inside = false;
  for (const l of lines) {
    if (l === BEGIN) inside = true;
    else if (l === END) inside = false;
    else if (!inside) out.push(l);
  }
  // Ours first: Syncthing uses the first pattern that matches, and a user's `!` line must not re-include our state.
  return [BEGIN, ...OUR_IGNORES, END, ...out];
}

/** How fast changes on disk are announced. */
export interface Timing {
  /** Seconds Syncthing's file watcher waits to gather changes before scanning them. */
  watchDelayS: number;
  /** Seconds between full rescans (a safety net behind the watcher). */
  rescanIntervalS: number;
}

/** Our writes are atomic renames, so a short watcher delay cannot catch a half-written file. */
export const DEFAULT_TIMING: Timing = { watchDelayS: 2, rescanIntervalS: 3600 };

/**
 * Files a peer deleted or replaced are kept this many days in `.stversions`: long enough to
 * notice a peer that misbehaves, short enough that superseded batch files (every merge
 * replaces some) do not pile up forever.
 */
export const TRASH_DAYS = 14;

/** The folder as Syncthing's REST API takes it, on top of whatever Syncthing already has (`base`). */
export function folderConfig(
  base: Record<string, unknown> | null,
  o: { path: string; devices: readonly string[]; timing: Timing },
): Record<string, unknown> {
  return {
    ...(base ?? {}),
    id: FOLDER_ID,
    label: FOLDER_LABEL,
    path: o.path,
    type: 'sendreceive',
    devices: o.devices.map((deviceID) => ({ deviceID, introducedBy: '', encryptionPassword: '' })),
    rescanIntervalS: o.timing.rescanIntervalS,
    fsWatcherEnabled: true,
    fsWatcherDelayS: o.timing.watchDelayS,
    ignoreDelete: false,
    paused: false,
    versioning: {
      ...(((base?.versioning as Record<string, unknown> | undefined) ?? {}) as object),
      type: 'trashcan',
      params: { cleanoutDays: String(TRASH_DAYS) },
    },
  };
}

/** Network options of a Syncthing we run: usage and crash reporting and upgrades always off. */
export interface NetworkOptions {
  listen: readonly string[];
  /** Global and local discovery, relays and NAT traversal; off: peers only at the addresses given. */
  discovery: boolean;
}

export function optionsPatch(o: NetworkOptions): Record<string, unknown> {
  return {
    listenAddresses: [...o.listen],
    globalAnnounceEnabled: o.discovery,
    localAnnounceEnabled: o.discovery,
    relaysEnabled: o.discovery,
    natEnabled: o.discovery,
    urAccepted: -1,
    crashReportingEnabled: false,
    autoUpgradeIntervalH: 0,
    startBrowser: false,
  };
}

/** The channel and hour a path in the folder belongs to (`<channel>/chat/<hour>/<file>`), or null. */
export function hourOfPath(rel: string): { channel: string; hour: number } | null {
  const parts = rel.split(/[\\/]/);
  if (parts.length < 3 || parts.length > 4 || parts[1] !== 'chat' || !CHANNEL.pattern.test(parts[0]!)) return null;
  const hour = parseHourName(parts[2]!);
  return hour === null ? null : { channel: parts[0]!, hour };
}
