/**
 * The one API contract (method → argument schema, result type) shared by the Electron
 * IPC bridge, the HTTP server and the renderer's clients. Every transport is generated
 * from `methods` by a loop; adding a feature is one entry here and one service method.
 *
 * Arguments are validated with these schemas wherever they cross a boundary (strict:
 * unknown fields are rejected). Results are `Result<T>`: errors are values the UI shows.
 */
import { z } from 'zod';
import { CHANNEL, CHAT_SERVER, HTTP_URL, LOGIN, NODE_NAME, type Rule } from '../rules.js';
import type { ChatRecord, Range } from '../archive/record.js';
import type { ViewerImageSets } from '../images/viewer-sets.js';

/** The archive's record types, as clients (the renderer) see them. */
export type { ChatRecord, Range, Tags, TagValue } from '../archive/record.js';
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
  /** Store emote, third-party emote and badge images while recording. */
  fetchImages: z.boolean(),
  /** Also store images and videos linked in messages (opt-in). */
  fetchMedia: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

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

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'error';

export interface ConnectionStatus {
  receiverId: string;
  state: ConnectionState;
  linesPerMinute: number;
  lastLineAt: number | null;
}

export interface ChannelRecording {
  channel: string;
  recording: boolean;
  connections: ConnectionStatus[];
  filesWritten: number;
  /** Plain words, for the UI. */
  lastError: string | null;
  /** Grows with every line received: `recordingTail` has something new when it changed. */
  tailVersion: number;
}

export interface ImportProgress {
  importId: string;
  phase: 'scanning' | 'copying' | 'merging' | 'done' | 'cancelled' | 'failed';
  filesTotal: number;
  filesChecked: number;
  copied: number;
  alreadyPresent: number;
  quarantined: Array<{ path: string; reason: string }>;
  recordsMerged: number;
  newObservations: number;
  error: string | null;
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
  /** Files of a channel changed; `hours` are the hour starts touched, empty when not known (refetch all). */
  | { type: 'archiveChanged'; channel: string; hours: number[] };

const empty = z.strictObject({});
const range = { channel: channelName, from: unixTime, to: unixTime };

/** method → [argument schema, result type (phantom), writes?]. */
export const methods = {
  listChannels: { args: empty, result: null as unknown as ChannelInfo[], writes: false },
  summary: {
    args: z.strictObject({ ...range, resolution: z.enum(['minute', 'hour', 'day']) }),
    result: null as unknown as Summary,
    writes: false,
  },
  records: {
    args: z.strictObject({
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
    }),
    result: null as unknown as RecordPage,
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
    args: z.strictObject({ sources: z.array(hostPath).min(1).max(64) }),
    result: null as unknown as { importId: string },
    writes: true,
  },
  importCancel: {
    args: z.strictObject({ importId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    result: null as unknown as { cancelled: boolean },
    writes: true,
  },
  importStatus: { args: empty, result: null as unknown as ImportProgress[], writes: false },
  mergeStatus: { args: empty, result: null as unknown as MergeStatus, writes: false },
  indexStatus: { args: empty, result: null as unknown as IndexStatus, writes: false },
  getSettings: { args: empty, result: null as unknown as Settings & { hasToken: boolean }, writes: false },
  setSettings: {
    args: settingsSchema.partial().strict(),
    result: null as unknown as Settings & { hasToken: boolean },
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
  /** Desktop only: the native folder picker; over HTTP it answers `unavailable`. */
  pickFolder: { args: empty, result: null as unknown as { path: string | null }, writes: false },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = z.infer<Methods[M]['args']>;
export type ResultOf<M extends MethodName> = Methods[M]['result'];
export const methodNames = Object.keys(methods) as MethodName[];

/** The API as the renderer sees it, whatever the transport. */
export type ArchiveApi = { [M in MethodName]: (args: ArgsOf<M>) => Promise<Result<ResultOf<M>>> } & {
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (e: ApiEvent) => void): () => void;
};
