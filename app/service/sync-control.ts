/**
 * The Sync panel's side of the service: one node's Syncthing (managed, with its home in
 * the app's data folder, or the user's own, attached by address and API key), its peers
 * and state as `SyncStatus`, and the arrival signal handed to the service's merge loop.
 * Settings live beside the app's settings; the API key in a SecretStore like the Twitch
 * token. Failures become one line in the status (`error`), never a thrown string.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../archive/atomic.js';
import { listChannels } from '../archive/layout.js';
import { ArrivalWatch } from '../sync/arrivals.js';
import { DEFAULT_TIMING } from '../sync/folder-config.js';
import { ManagedSyncthing } from '../sync/managed.js';
import { SyncNode, type NodeStatus } from '../sync/node.js';
import { SYNCTHING_PORT, defaultListen } from '../sync/ports.js';
import { SyncthingError, SyncthingRest } from '../sync/rest.js';
import { syncSettingsSchema, type SyncSettings, type SyncStatus } from './contract.js';
import type { SecretStore } from './secrets.js';

export interface SyncControlOptions {
  /** Home of the Syncthing we run (keys, config, database). */
  home: string;
  /** sync.json; null keeps the settings in memory. */
  settingsFile: string | null;
  apiKey: SecretStore;
  segments: () => string;
  /** Files of these channels arrived: merge them (resolves once merged). */
  merge: (channels: string[]) => Promise<void>;
  onStatus: (s: SyncStatus) => void;
}

export const defaultSyncSettings = (): SyncSettings => ({
  mode: 'managed',
  listen: `tcp://0.0.0.0:${SYNCTHING_PORT}`,
  discovery: true,
  attachUrl: 'http://127.0.0.1:8384',
});

const POLL_MS = 3000;

export class SyncControl {
  readonly #o: SyncControlOptions;
  #settings: SyncSettings = defaultSyncSettings();
  #enabled = false;
  /** False until a listen address was saved or set: the first start picks one that is free. */
  #listenChosen = false;
  #state: SyncStatus['state'] = 'off';
  #error: string | null = null;
  #node: SyncNode | null = null;
  #managed: ManagedSyncthing | null = null;
  #watch: ArrivalWatch | null = null;
  #poll: NodeJS.Timeout | null = null;
  #last: NodeStatus | null = null;
  #lastSent = '';
  /** Start and stop run one at a time. */
  #busy: Promise<unknown> = Promise.resolve();

  private constructor(o: SyncControlOptions) {
    this.#o = o;
  }

  /** Loads the settings; starts syncing when it was on when the app last ran. */
  static async create(o: SyncControlOptions): Promise<SyncControl> {
    const c = new SyncControl(o);
    if (o.settingsFile) {
      try {
        const j = JSON.parse(await fs.readFile(o.settingsFile, 'utf8')) as {
          settings?: unknown;
          enabled?: unknown;
          listenChosen?: unknown;
        };
        const s = syncSettingsSchema.partial().safeParse(j.settings);
        if (s.success) c.#settings = { ...c.#settings, ...s.data };
        c.#enabled = j.enabled === true;
        c.#listenChosen = j.listenChosen === true;
      } catch {
        // first run, or unreadable: defaults, off
      }
    }
    if (c.#enabled) void c.start();
    return c;
  }

  status(): SyncStatus {
    const s = this.#last;
    return {
      state: this.#state,
      settings: { ...this.#settings },
      enabled: this.#enabled,
      hasApiKey: this.#o.apiKey.has(),
      deviceId: s?.deviceId ?? null,
      listening: s?.listening ?? [],
      listenErrors: s?.listenErrors ?? [],
      folder: s?.folder ?? null,
      peers: s?.peers ?? [],
      pending: s?.pending ?? [],
      arriving: s?.arriving ?? [],
      error: this.#error,
    };
  }

  /** The status, freshly asked from Syncthing when it runs. */
  async refresh(): Promise<SyncStatus> {
    if (this.#node && this.#state === 'running') {
      try {
        this.#last = await this.#node.status();
        if (this.#error?.startsWith('Syncthing at')) this.#error = null;
      } catch (e) {
        this.#error = (e as Error).message;
      }
    }
    this.#emit();
    return this.status();
  }

  start(): Promise<SyncStatus> {
    return this.#serial(async () => {
      if (this.#state === 'running') return;
      this.#enabled = true;
      await this.#save();
      await this.#openOrFail();
    });
  }

  stop(): Promise<SyncStatus> {
    return this.#serial(async () => {
      this.#enabled = false;
      await this.#save();
      await this.#shutDown();
    });
  }

  /** Stops Syncthing for good (the service closes); leaves `enabled` as it was for the next start of the app. */
  close(): Promise<unknown> {
    return this.#serial(() => this.#shutDown());
  }

  configure(patch: Partial<SyncSettings>): Promise<SyncStatus> {
    return this.#serial(async () => {
      if (patch.listen !== undefined) this.#listenChosen = true;
      const next = { ...this.#settings, ...patch };
      const changed = JSON.stringify(next) !== JSON.stringify(this.#settings);
      this.#settings = next;
      await this.#save();
      if (changed && this.#state !== 'off') await this.#restart();
    });
  }

  setApiKey(key: string | null): Promise<SyncStatus> {
    return this.#serial(async () => {
      await this.#o.apiKey.set(key);
      if (this.#settings.mode === 'attached' && this.#state !== 'off') await this.#restart();
    });
  }

  addPeer(p: { deviceId: string; address?: string; name?: string }): Promise<SyncStatus> {
    return this.#withNode(async (node) => {
      await node.addPeer({ deviceId: p.deviceId, addresses: p.address ? [p.address] : ['dynamic'], name: p.name });
    });
  }

  removePeer(deviceId: string): Promise<SyncStatus> {
    return this.#withNode(async (node) => {
      if (!(await node.removePeer(deviceId))) throw new SyncthingError('no such peer');
    });
  }

  async #withNode(fn: (node: SyncNode) => Promise<void>): Promise<SyncStatus> {
    const node = this.#node;
    if (!node || this.#state !== 'running') throw new SyncthingError('sync is not running: start it first');
    await fn(node);
    return this.refresh();
  }

  #serial(fn: () => Promise<unknown>): Promise<SyncStatus> {
    const run = this.#busy.then(fn, fn);
    this.#busy = run.catch(() => {});
    return run.then(() => this.refresh());
  }

  async #restart(): Promise<void> {
    await this.#shutDown();
    await this.#openOrFail();
  }

  /** Starts; a failure leaves nothing running and the reason in the status. */
  async #openOrFail(): Promise<void> {
    this.#setState('starting', null);
    try {
      await this.#open();
      this.#setState('running', null);
    } catch (e) {
      await this.#close();
      this.#setState('error', (e as Error).message);
    }
  }

  async #open(): Promise<void> {
    const segments = this.#o.segments();
    const s = this.#settings;
    let rest: SyncthingRest;
    if (s.mode === 'managed') {
      if (!this.#listenChosen) {
        // Syncthing's usual port unless something (the user's own Syncthing) has it; kept from then on.
        s.listen = await defaultListen();
        this.#listenChosen = true;
        await this.#save();
      }
      const network = { listen: [s.listen], discovery: s.discovery };
      this.#managed = await ManagedSyncthing.start({ home: this.#o.home, segments, gui: '127.0.0.1:0', ...network });
      rest = this.#managed.rest;
      const managed = this.#managed;
      void managed.exited.then((x) => {
        if (managed.stopping || this.#managed !== managed) return;
        this.#managed = null;
        void this.#close().then(() =>
          this.#setState(
            'error',
            `Syncthing stopped unexpectedly (${x.code ?? x.signal}): ${managed.logTail().split('\n').at(-1) ?? ''}`,
          ),
        );
      });
      this.#node = new SyncNode(rest);
      await this.#node.setUp({ segments, timing: DEFAULT_TIMING, network });
    } else {
      const key = await this.#o.apiKey.get();
      if (!key)
        throw new SyncthingError(
          "enter your Syncthing's API key first (Syncthing: Actions → Settings → General → API Key)",
        );
      rest = new SyncthingRest(s.attachUrl, key);
      this.#node = new SyncNode(rest);
      await this.#node.setUp({ segments, timing: DEFAULT_TIMING });
    }
    this.#watch = new ArrivalWatch(rest, {
      onArrivals: async (a) => {
        const channels = a === 'all' ? (await listChannels(segments)).channels : [...new Set(a.map((h) => h.channel))];
        if (channels.length) await this.#o.merge(channels);
      },
      onError: (m) => {
        this.#error = m;
        this.#emit();
      },
    });
    this.#watch.start();
    this.#poll = setInterval(() => void this.refresh(), POLL_MS);
    this.#poll.unref();
  }

  async #shutDown(): Promise<void> {
    if (this.#state === 'off') return;
    this.#setState('stopping', null);
    await this.#close();
    this.#last = null;
    this.#setState('off', null);
  }

  async #close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    await this.#watch?.stop();
    this.#watch = null;
    this.#node = null;
    const m = this.#managed;
    this.#managed = null;
    await m?.stop();
  }

  #setState(state: SyncStatus['state'], error: string | null): void {
    this.#state = state;
    this.#error = error;
    this.#emit();
  }

  #emit(): void {
    const s = this.status();
    const key = JSON.stringify(s);
    if (key === this.#lastSent) return;
    this.#lastSent = key;
    this.#o.onStatus(s);
  }

  async #save(): Promise<void> {
    const file = this.#o.settingsFile;
    if (!file) return;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(
      file,
      Buffer.from(
        JSON.stringify(
          { settings: this.#settings, enabled: this.#enabled, listenChosen: this.#listenChosen },
          null,
          2,
        ) + '\n',
      ),
      true,
    );
  }
}
