/**
 * Syncthing's REST API (fetch + API key), the few calls we use. Answers are checked for
 * the fields we read (an attached Syncthing is the user's and may be any version); every
 * failure is a `SyncthingError` whose message is one plain line naming the address.
 */
import { z } from 'zod';

export class SyncthingError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const statusSchema = z.looseObject({
  myID: z.string(),
  connectionServiceStatus: z
    .record(
      z.string(),
      z.looseObject({ error: z.string().nullable().optional(), lanAddresses: z.array(z.string()).nullish() }),
    )
    .optional(),
  lastDialStatus: z
    .record(z.string(), z.looseObject({ when: z.string().optional(), error: z.string().nullable().optional() }))
    .optional(),
});
export type SystemStatus = z.infer<typeof statusSchema>;

const deviceSchema = z.looseObject({
  deviceID: z.string(),
  name: z.string().optional(),
  addresses: z.array(z.string()).optional(),
  paused: z.boolean().optional(),
});
export type DeviceConfig = z.infer<typeof deviceSchema>;
const folderSchema = z.looseObject({
  id: z.string(),
  path: z.string(),
  devices: z.array(z.looseObject({ deviceID: z.string() })),
});
export type FolderConfig = z.infer<typeof folderSchema>;
const connectionsSchema = z.looseObject({
  connections: z.record(
    z.string(),
    z.looseObject({ connected: z.boolean(), address: z.string().optional(), paused: z.boolean().optional() }),
  ),
});
const completionSchema = z.looseObject({
  completion: z.number(),
  needItems: z.number().optional(),
  needBytes: z.number().optional(),
  needDeletes: z.number().optional(),
});
const dbStatusSchema = z.looseObject({
  state: z.string(),
  needFiles: z.number().optional(),
  needBytes: z.number().optional(),
  needDeletes: z.number().optional(),
  pullErrors: z.number().optional(),
  error: z.string().optional(),
  globalFiles: z.number().optional(),
  localFiles: z.number().optional(),
});
export type FolderDbStatus = z.infer<typeof dbStatusSchema>;
const folderErrorsSchema = z.looseObject({
  errors: z.array(z.looseObject({ path: z.string(), error: z.string() })).nullable(),
});
const needSchema = z.looseObject({
  progress: z.array(z.looseObject({ name: z.string() })).nullish(),
  queued: z.array(z.looseObject({ name: z.string() })).nullish(),
  rest: z.array(z.looseObject({ name: z.string() })).nullish(),
});
const deviceStatsSchema = z.record(z.string(), z.looseObject({ lastSeen: z.string().optional() }));
const pendingDevicesSchema = z.record(
  z.string(),
  z.looseObject({ name: z.string().optional(), address: z.string().optional(), time: z.string().optional() }),
);
const eventSchema = z.looseObject({ id: z.number(), type: z.string(), data: z.unknown() });
export type SyncthingEvent = z.infer<typeof eventSchema>;

/** A bounded wait for ordinary calls; the event long-poll sets its own. */
const CALL_TIMEOUT_MS = 30_000;

export class SyncthingRest {
  readonly base: string;
  readonly #apiKey: string;

  constructor(base: string, apiKey: string) {
    this.base = base.replace(/\/+$/, '');
    this.#apiKey = apiKey;
  }

  async #call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    body?: unknown,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? CALL_TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { 'X-API-Key': this.#apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = timeout.aborted ? 'no answer in time' : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new SyncthingError(`Syncthing at ${this.base} cannot be reached (${why})`);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403)
      throw new SyncthingError(`Syncthing at ${this.base} refused the API key`, res.status);
    if (!res.ok)
      throw new SyncthingError(
        `Syncthing at ${this.base} answered ${method} ${path.split('?')[0]} with ${res.status}: ${text.trim().slice(0, 200)}`,
        res.status,
      );
    if (!schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SyncthingError(
        `Syncthing at ${this.base} answered ${path.split('?')[0]} with something that is not JSON`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new SyncthingError(
        `Syncthing at ${this.base} answered ${path.split('?')[0]} in an unexpected form: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    return parsed.data;
  }

  systemStatus = (signal?: AbortSignal) =>
    this.#call('GET', '/rest/system/status', statusSchema, undefined, { signal });
  options = () => this.#call('GET', '/rest/config/options', z.record(z.string(), z.unknown()));
  patchOptions = (patch: Record<string, unknown>) => this.#call('PATCH', '/rest/config/options', null, patch);
  devices = () => this.#call('GET', '/rest/config/devices', z.array(deviceSchema));
  putDevice = (device: Record<string, unknown>) => this.#call('POST', '/rest/config/devices', null, device);
  deleteDevice = (id: string) => this.#call('DELETE', `/rest/config/devices/${encodeURIComponent(id)}`, null);
  defaultDevice = () => this.#call('GET', '/rest/config/defaults/device', z.record(z.string(), z.unknown()));
  folders = () => this.#call('GET', '/rest/config/folders', z.array(folderSchema));
  defaultFolder = () => this.#call('GET', '/rest/config/defaults/folder', z.record(z.string(), z.unknown()));
  putFolder = (folder: Record<string, unknown>) => this.#call('POST', '/rest/config/folders', null, folder);
  ignores = (folder: string) =>
    this.#call(
      'GET',
      `/rest/db/ignores?folder=${encodeURIComponent(folder)}`,
      z.looseObject({ ignore: z.array(z.string()).nullable() }),
    );
  setIgnores = (folder: string, lines: string[]) =>
    this.#call('POST', `/rest/db/ignores?folder=${encodeURIComponent(folder)}`, null, { ignore: lines });
  connections = () => this.#call('GET', '/rest/system/connections', connectionsSchema);
  completion = (folder: string, device?: string) =>
    this.#call(
      'GET',
      `/rest/db/completion?folder=${encodeURIComponent(folder)}${device ? `&device=${encodeURIComponent(device)}` : ''}`,
      completionSchema,
    );
  folderStatus = (folder: string) =>
    this.#call('GET', `/rest/db/status?folder=${encodeURIComponent(folder)}`, dbStatusSchema);
  folderErrors = (folder: string) =>
    this.#call('GET', `/rest/folder/errors?folder=${encodeURIComponent(folder)}&perpage=50`, folderErrorsSchema);
  need = (folder: string, perPage: number) =>
    this.#call('GET', `/rest/db/need?folder=${encodeURIComponent(folder)}&perpage=${perPage}`, needSchema);
  deviceStats = () => this.#call('GET', '/rest/stats/device', deviceStatsSchema);
  pendingDevices = () => this.#call('GET', '/rest/cluster/pending/devices', pendingDevicesSchema);
  scan = (folder: string) => this.#call('POST', `/rest/db/scan?folder=${encodeURIComponent(folder)}`, null);
  shutdown = () => this.#call('POST', '/rest/system/shutdown', null);

  /** Long-polls events after `since` (Syncthing answers `[]` after `timeoutS` without any). */
  events(types: string[], since: number, timeoutS: number, signal?: AbortSignal): Promise<SyncthingEvent[]> {
    const q = `events=${types.join(',')}&since=${since}&timeout=${timeoutS}`;
    return this.#call('GET', `/rest/events?${q}`, z.array(eventSchema), undefined, {
      signal,
      timeoutMs: (timeoutS + 15) * 1000,
    });
  }

  /** The id of the latest event of these types, without waiting for a new one. */
  async latestEventId(types: string[]): Promise<number> {
    const r = await this.#call(
      'GET',
      `/rest/events?events=${types.join(',')}&since=0&limit=1&timeout=1`,
      z.array(eventSchema),
    );
    return r.at(-1)?.id ?? 0;
  }
}
