/**
 * The one API contract (method → argument schema, result type) shared by the Electron
 * IPC bridge, the HTTP server and the renderer's clients. Every transport is generated
 * from `methods` by a loop; adding a feature is one entry here and one service method.
 *
 * Arguments are validated with these schemas wherever they cross a boundary (strict:
 * unknown fields are rejected). Results are `Result<T>`: errors are values the UI shows.
 */
import { z } from 'zod';
import {
  BATCH_FILE,
  CHANNEL,
  CHAT_SERVER,
  DEVICE_ID,
  HTTP_URL,
  LOGIN,
  NODE_NAME,
  SYNC_ADDRESS,
  type Rule,
} from '../rules.js';
import type { ImportCounts } from '../archive/import.js';
import type { ChatRecord, Range } from '../archive/record.js';
import { FORMATS } from '../foreign/source.js';
import type { ChannelRecording } from '../record/status.js';
import type { ViewerImageSets } from '../images/viewer-sets.js';
import { parseDeviceId } from '../sync/device-id.js';
import type { NodeStatus } from '../sync/node.js';

/** The archive's record types, as clients (the renderer) see them. */
export type { ChatRecord, Range, Tags, TagValue } from '../archive/record.js';
/** The recorder's status, as it reports it. */
export type { ChannelRecording, ConnectionState, ConnectionStatus } from '../record/status.js';
import type { CoverageReport } from '../query/gaps.js';
export type { CoverageReport, Gap, Interval, ReceiverCoverage } from '../query/gaps.js';

/** `coverage`: who recorded when, to the second; the CLI's `gaps --json` prints its `channel`, `nodes` and `holes`. */
export type Coverage = CoverageReport & { channel: string; from: number; to: number };
/** Third-party emotes and badges to draw at a moment of a channel's chat. */
export type { ViewerImageSets, ViewerEmote, ViewerBadge } from '../images/viewer-sets.js';

/** A string that keeps one of app/rules.ts's rules, with that rule's message. */
const ruled = (rule: Rule, max = 2048) => z.string().max(max).regex(rule.pattern, rule.message);

export const channelName = ruled(CHANNEL);
export const loginName = ruled(LOGIN);
export const nodeName = ruled(NODE_NAME);
export const chatServerUrl = ruled(CHAT_SERVER);
export const httpUrl = ruled(HTTP_URL);
/** Unix seconds, finite, 1970..9999. */
export const unixTime = z.number().finite().min(0).max(253402300800);
/** The start of a UTC hour, Unix seconds. */
export const hourStart = unixTime.int().refine((t) => t % 3600 === 0, 'an hour starts at a multiple of 3600 seconds');
export const batchFileName = ruled(BATCH_FILE, 100);
/** Syncthing's form; the UI normalizes what people paste (case, spaces) before sending. */
export const deviceId = ruled(DEVICE_ID, 63).refine(
  (id) => parseDeviceId(id).ok,
  'its check characters do not match: a character was mistyped',
);
export const syncAddress = ruled(SYNC_ADDRESS, 300);

export const syncSettingsSchema = z.strictObject({
  /** managed: we run Syncthing with its home in the app's data folder; attached: the user's own Syncthing. */
  mode: z.enum(['managed', 'attached']),
  /** Managed: where peers reach this node. */
  listen: syncAddress,
  /** Managed: global and LAN discovery, relays and NAT traversal; off, peers only at their addresses. */
  discovery: z.boolean(),
  /** Attached: the address of its GUI/API (its API key is kept like the Twitch token). */
  attachUrl: httpUrl,
});
export type SyncSettings = z.infer<typeof syncSettingsSchema>;
/** A path on the machine running the service; only import sources and settings take one. */
export const hostPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\0'), 'path contains a NUL byte');

export const settingsSchema = z.strictObject({
  segmentsDir: hostPath,
  nodeName,
  server: chatServerUrl,
  login: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('anonymous') }),
    z.strictObject({ mode: z.literal('token'), username: loginName }),
  ]),
  historyGapFilling: z.boolean(),
  historyUrl: httpUrl,
  /** Keep recording in the tray when the window closes (desktop only). */
  keepRecordingInTray: z.boolean(),
  /** The recording panel's channels, recording or not. */
  channels: z.array(channelName).max(100),
  /** Start recording the saved channels when the app (or `serve`) starts. */
  recordOnLaunch: z.boolean(),
  /** Store emote, third-party emote and badge images while recording. */
  fetchImages: z.boolean(),
  /** Also store images and videos linked in messages (opt-in). */
  fetchMedia: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The settings as clients get them. */
export type SettingsView = Settings & {
  hasToken: boolean;
  /** The settings file could not be used when the service started (it was kept aside); null once settings are saved. */
  problem: string | null;
};

export type Resolution = 'minute' | 'hour' | 'day';

export interface ChannelInfo {
  channel: string;
  records: number;
  /** First and last recorded minute, Unix seconds; null for an empty channel. */
  first: number | null;
  last: number | null;
}

export interface Bucket {
  /** Start of the bucket, Unix seconds. */
  start: number;
  records: number;
  byCommand: Record<string, number>;
  /** receiver id → observations in this bucket. */
  receivers: Record<string, number>;
  /** Batch times in this bucket that still hold more than one file or were not merged. */
  pendingMerge: number;
  /** At least one batch file exists in this bucket (false: nobody recorded it). */
  recorded: boolean;
}

export interface Summary {
  channel: string;
  from: number;
  to: number;
  resolution: Resolution;
  buckets: Bucket[];
  /** Every receiver seen in the range, sorted, with its observation count. */
  receivers: Record<string, number>;
  /** [start, end) of minute runs nobody recorded between recorded minutes. */
  unrecorded: Array<[number, number]>;
}

/** A record as listed: `key` identifies it for `recordDetail`. */
export interface RecordRow {
  key: string;
  record: ChatRecord;
}

export interface RecordPage {
  total: number;
  offset: number;
  rows: RecordRow[];
}

export interface RecordDetail {
  key: string;
  record: ChatRecord;
  /** Batch file the record is in, relative to the segments directory. */
  file: string;
  /** The IRC line reconstructed from the record's fields. */
  ircLine: string;
  receivers: Array<{ id: string; receivedAt: number; range: Range }>;
}

/** What an import source is: another node's segments folder, or another tool's chat (README "Import"). */
export const importFormat = z.enum(['segments', ...FORMATS]);
export type ImportFormat = z.infer<typeof importFormat>;

export interface FormatDetection {
  format: ImportFormat | null;
  /** What gave it away, or why nothing did. */
  reason: string;
}

/** An import job as clients see it: the archive core's counts so far (ImportCounts) and where the job stands. */
export interface ImportProgress extends Pick<
  ImportCounts,
  'filesTotal' | 'filesChecked' | 'copied' | 'alreadyPresent' | 'recordsMerged' | 'newObservations'
> {
  importId: string;
  phase: 'scanning' | 'copying' | 'merging' | 'done' | 'cancelled' | 'failed';
  /** Each quarantined file and why (where its copy was kept is the server's business). */
  quarantined: Array<{ path: string; reason: string }>;
  error: string | null;
  /** Other tools' chat: bytes of the sources, bytes read so far, lines imported. */
  bytesTotal?: number;
  bytesRead?: number;
  linesImported?: number;
}

export interface MergeStatus {
  running: boolean;
  pendingHours: number;
  lastRun: number | null;
  lastError: string | null;
}

export interface IndexStatus {
  scanning: boolean;
  filesTotal: number;
  filesScanned: number;
  /** Why the last scan could not see everything (the archive folder, a channel or files unreadable); null when it did. */
  error: string | null;
}

/** An hour folder as `pull` sees it: how many batch files, and a digest of their names. */
export interface ArchiveHour {
  hour: number;
  files: number;
  digest: string;
}

export interface ArchiveHourFiles {
  hour: number;
  files: string[];
}

/** A peer and the archive folder as the Sync panel shows them (app/sync/node.ts reports them). */
export type { PeerState as SyncPeer, FolderState as SyncFolder } from '../sync/node.js';

export interface SyncStatus extends Omit<NodeStatus, 'deviceId'> {
  state: 'off' | 'starting' | 'running' | 'stopping' | 'error';
  settings: SyncSettings;
  /** Syncing was on when the app last ran: it starts again with the app. */
  enabled: boolean;
  hasApiKey: boolean;
  /** Null until Syncthing runs. */
  deviceId: string | null;
  /** Plain words, for the UI. */
  error: string | null;
}

export type ApiError = {
  code: 'invalid_argument' | 'not_found' | 'forbidden' | 'io' | 'busy' | 'unavailable' | 'internal';
  message: string;
  path?: string;
};
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Events pushed to every client (IPC: one channel; HTTP: server-sent events). */
export type ApiEvent =
  | { type: 'recording'; status: ChannelRecording[] }
  | { type: 'import'; progress: ImportProgress }
  | { type: 'merge'; status: MergeStatus }
  | { type: 'index'; status: IndexStatus }
  | { type: 'sync'; status: SyncStatus }
  /** Files of a channel changed; `hours` are the hour starts touched, empty when not known (refetch all). */
  | { type: 'archiveChanged'; channel: string; hours: number[] };

const empty = z.strictObject({});
const range = { channel: channelName, from: unixTime, to: unixTime };
/** The rule of every range: `to` never before `from`. */
const ordered = [
  (a: { from: number; to: number }) => a.to >= a.from,
  { error: '"to" must not be before "from"' },
] as const;

/** method → [argument schema, result type (phantom), writes?]. */
export const methods = {
  listChannels: { args: empty, result: null as unknown as ChannelInfo[], writes: false },
  summary: {
    args: z.strictObject({ ...range, resolution: z.enum(['minute', 'hour', 'day']) }).refine(...ordered),
    result: null as unknown as Summary,
    writes: false,
  },
  records: {
    args: z
      .strictObject({
        ...range,
        offset: z.number().int().min(0).max(10_000_000),
        limit: z.number().int().min(1).max(5000),
        /** Optional filters, all of which must match: exact commands, sender/user substring, text (last param) substring; case-insensitive. */
        filter: z
          .strictObject({
            commands: z
              .array(z.string().regex(/^[A-Z0-9]{1,32}$/))
              .max(32)
              .optional(),
            user: z.string().max(64).optional(),
            text: z.string().max(500).optional(),
          })
          .optional(),
      })
      .refine(...ordered),
    result: null as unknown as RecordPage,
    writes: false,
  },
  /** Receivers' recorded spans, each node's gaps and the archive's holes in [from, to] (app/query/gaps.ts). */
  coverage: {
    args: z.strictObject(range).refine(...ordered),
    result: null as unknown as Coverage,
    writes: false,
  },
  recordDetail: {
    args: z.strictObject({ channel: channelName, key: z.string().min(1).max(200) }),
    result: null as unknown as RecordDetail,
    writes: false,
  },
  recordingStatus: { args: empty, result: null as unknown as ChannelRecording[], writes: false },
  /** The latest lines of a channel being recorded, before their minute reaches the archive; keys `live:<n>` have no details. */
  recordingTail: {
    args: z.strictObject({ channel: channelName, limit: z.number().int().min(1).max(500) }),
    result: null as unknown as RecordRow[],
    writes: false,
  },
  recordingStart: {
    args: z.strictObject({ channels: z.array(channelName).min(1).max(100) }),
    result: null as unknown as ChannelRecording[],
    writes: true,
  },
  recordingStop: {
    args: z.strictObject({ channels: z.array(channelName).max(100).optional() }),
    result: null as unknown as ChannelRecording[],
    writes: true,
  },
  importStart: {
    args: z.strictObject({
      sources: z.array(hostPath).min(1).max(64),
      /** Default: told from the sources (`detectFormat`). */
      format: importFormat.optional(),
      /** Other tools' chat: only this channel, and the channel of sources that do not name theirs. */
      channel: channelName.optional(),
      /** Other tools' chat: the first part of the new receiver ids (default: the format). */
      node: nodeName.optional(),
      /** Chatterino logs whose header does not place their time zone: an IANA name or +HH:MM. */
      timezone: z.string().min(1).max(64).optional(),
    }),
    result: null as unknown as { importId: string },
    writes: true,
  },
  importCancel: {
    args: z.strictObject({ importId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    result: null as unknown as { cancelled: boolean },
    writes: true,
  },
  importStatus: { args: empty, result: null as unknown as ImportProgress[], writes: false },
  /**
   * Which tool wrote an import source, from its layout and first bytes. A write method: it looks
   * at the service machine's files, which only clients allowed to import may.
   */
  detectFormat: { args: z.strictObject({ path: hostPath }), result: null as unknown as FormatDetection, writes: true },
  mergeStatus: { args: empty, result: null as unknown as MergeStatus, writes: false },
  indexStatus: { args: empty, result: null as unknown as IndexStatus, writes: false },
  getSettings: { args: empty, result: null as unknown as SettingsView, writes: false },
  setSettings: {
    args: settingsSchema.partial().strict(),
    result: null as unknown as SettingsView,
    writes: true,
  },
  setToken: {
    args: z.strictObject({ token: z.string().min(1).max(512).nullable() }),
    result: null as unknown as { hasToken: boolean },
    writes: true,
  },
  /** The third-party emote sets and badges in effect at `at` (their images under `images/emotes/`). */
  imageSets: {
    args: z.strictObject({ channel: channelName, at: unixTime }),
    result: null as unknown as ViewerImageSets,
    writes: false,
  },
  createSampleArchive: { args: empty, result: null as unknown as { channel: string; records: number }, writes: true },
  /** Hours of a channel with a digest of their file names: what a peer's `pull` compares. */
  archiveHours: {
    args: z.strictObject({ channel: channelName }),
    result: null as unknown as ArchiveHour[],
    writes: false,
  },
  /** The batch file names of some hours of a channel. */
  archiveFiles: {
    args: z.strictObject({ channel: channelName, hours: z.array(hourStart).min(1).max(200) }),
    result: null as unknown as ArchiveHourFiles[],
    writes: false,
  },
  /** One batch file's bytes (base64); `not_found` once it was merged away. */
  archiveFile: {
    args: z.strictObject({ channel: channelName, hour: hourStart, name: batchFileName }),
    result: null as unknown as { bytes: string },
    writes: false,
  },
  syncStatus: { args: empty, result: null as unknown as SyncStatus, writes: false },
  syncStart: { args: empty, result: null as unknown as SyncStatus, writes: true },
  syncStop: { args: empty, result: null as unknown as SyncStatus, writes: true },
  /** Changes how this node syncs; a running sync restarts with the new settings. */
  syncConfigure: {
    args: syncSettingsSchema.partial().strict(),
    result: null as unknown as SyncStatus,
    writes: true,
  },
  /** The attached Syncthing's API key (null forgets it). */
  syncSetApiKey: {
    args: z.strictObject({ apiKey: z.string().min(1).max(200).nullable() }),
    result: null as unknown as SyncStatus,
    writes: true,
  },
  syncAddPeer: {
    args: z.strictObject({
      deviceId,
      /** Omitted: found by discovery. */
      address: syncAddress.optional(),
      name: z
        .string()
        .max(64)
        .regex(/^[^\u0000-\u001f\u007f]*$/, 'a name has no control characters')
        .optional(),
    }),
    result: null as unknown as SyncStatus,
    writes: true,
  },
  syncRemovePeer: { args: z.strictObject({ deviceId }), result: null as unknown as SyncStatus, writes: true },
  /** Desktop only: the native folder picker; over HTTP it answers `unavailable`. */
  pickFolder: { args: empty, result: null as unknown as { path: string | null }, writes: false },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = z.infer<Methods[M]['args']>;
export type ResultOf<M extends MethodName> = Methods[M]['result'];
export const methodNames = Object.keys(methods) as MethodName[];

/** One typed function per method: the service's implementation, and every client's view of it. */
export type ApiMethods = { [M in MethodName]: (args: ArgsOf<M>) => Promise<Result<ResultOf<M>>> };

/** The API as the renderer sees it, whatever the transport. */
export type ArchiveApi = ApiMethods & {
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (e: ApiEvent) => void): () => void;
};
