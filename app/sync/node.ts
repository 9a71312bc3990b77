/**
 * One node's Syncthing, managed or attached, seen through our folder: sets the folder up
 * (path, peers, versioning, watcher, ignores), adds and removes peers, and reports the
 * state people need (who is connected, how complete, what fails, what is still arriving).
 */
import path from 'node:path';
import {
  FOLDER_ID,
  folderConfig,
  hourOfPath,
  optionsPatch,
  withOurIgnores,
  type NetworkOptions,
  type Timing,
} from './folder-config.js';
import { SyncthingError, type SyncthingRest } from './rest.js';

export interface Peer {
  deviceId: string;
  /** tcp://HOST:PORT, or `dynamic` (found by discovery). */
  addresses: string[];
  name?: string;
}

export interface PeerState {
  deviceId: string;
  name: string;
  addresses: string[];
  connected: boolean;
  /** The address of the live connection. */
  address: string | null;
  /** How far the peer holds our folder as this node sees it (0–100); null when unknown. */
  completion: number | null;
  /** Unix seconds; null when never. */
  lastSeen: number | null;
  paused: boolean;
  /** Why dialing it failed last, in Syncthing's words; null when fine or not tried. */
  error: string | null;
}

export interface FolderState {
  /** Syncthing's folder state: idle, scanning, syncing, error, … */
  state: string;
  /** This node's completion of the folder (0–100). */
  completion: number;
  needFiles: number;
  needBytes: number;
  errors: Array<{ path: string; error: string }>;
}

export interface NodeStatus {
  deviceId: string;
  /** The addresses Syncthing listens on, as peers should dial them (port 0 resolved). */
  listening: string[];
  /** Listen addresses that failed (a port in use, say), with Syncthing's reason. */
  listenErrors: string[];
  folder: FolderState | null;
  peers: PeerState[];
  /** Devices that tried to connect but are not peers (yet): add them to share with them. */
  pending: Array<{ deviceId: string; name: string; address: string }>;
  /** Hours Syncthing is still bringing in, per channel (from its list of needed files). */
  arriving: Array<{ channel: string; hour: number }>;
}

export interface FolderSetup {
  segments: string;
  timing: Timing;
  /** Managed nodes only: an attached Syncthing's network options are its owner's. */
  network?: NetworkOptions;
}

/** Needed files looked at for the "arriving" hours: enough to mark the timeline, cheap to ask. */
const NEED_PAGE = 500;

export class SyncNode {
  constructor(readonly rest: SyncthingRest) {}

  async deviceId(): Promise<string> {
    return (await this.rest.systemStatus()).myID;
  }

  /** Shares `segments` under our folder ID with the peers already set; ignores set; network options for managed nodes. */
  async setUp(o: FolderSetup): Promise<void> {
    if (o.network) await this.rest.patchOptions(optionsPatch(o.network));
    const me = await this.deviceId();
    const folders = await this.rest.folders();
    const resolved = path.resolve(o.segments);
    const other = folders.find((f) => f.id !== FOLDER_ID && path.resolve(f.path) === resolved);
    if (other)
      throw new SyncthingError(
        `Syncthing already shares ${resolved} as its folder "${other.id}": remove that folder in Syncthing first, so the archive is shared once`,
      );
    const current = folders.find((f) => f.id === FOLDER_ID);
    if (current && path.resolve(current.path) !== resolved)
      throw new SyncthingError(
        `Syncthing already shares another archive (${current.path}) as "${FOLDER_ID}"; one Syncthing shares one archive`,
      );
    const devices = new Set([me, ...(current?.devices.map((d) => d.deviceID) ?? [])]);
    const base = current ?? (await this.rest.defaultFolder());
    await this.rest.putFolder(folderConfig(base, { path: resolved, devices: [...devices], timing: o.timing }));
    // The folder must exist before its ignores can be set; until then Syncthing has not scanned it.
    const now = (await this.rest.ignores(FOLDER_ID)).ignore ?? [];
    const wanted = withOurIgnores(now);
    if (wanted.join('\n') !== now.join('\n')) await this.rest.setIgnores(FOLDER_ID, wanted);
  }

  /** Adds (or updates) a peer and shares our folder with it. */
  async addPeer(p: Peer): Promise<void> {
    const me = await this.deviceId();
    if (p.deviceId === me) throw new SyncthingError('that is this node’s own device ID');
    const existing = (await this.rest.devices()).find((d) => d.deviceID === p.deviceId);
    const base = existing ?? (await this.rest.defaultDevice());
    await this.rest.putDevice({
      ...base,
      deviceID: p.deviceId,
      name: p.name ?? existing?.name ?? '',
      addresses: p.addresses.length ? p.addresses : ['dynamic'],
    });
    const folder = (await this.rest.folders()).find((f) => f.id === FOLDER_ID);
    if (!folder) throw new SyncthingError('the archive folder is not set up in Syncthing yet');
    if (!folder.devices.some((d) => d.deviceID === p.deviceId))
      await this.rest.putFolder({
        ...folder,
        devices: [...folder.devices, { deviceID: p.deviceId, introducedBy: '', encryptionPassword: '' }],
      });
  }

  /** Stops sharing with a peer and forgets it (the archive's files stay where they are). */
  async removePeer(deviceId: string): Promise<boolean> {
    const folder = (await this.rest.folders()).find((f) => f.id === FOLDER_ID);
    if (folder?.devices.some((d) => d.deviceID === deviceId))
      await this.rest.putFolder({ ...folder, devices: folder.devices.filter((d) => d.deviceID !== deviceId) });
    const known = (await this.rest.devices()).some((d) => d.deviceID === deviceId);
    if (known) await this.rest.deleteDevice(deviceId);
    return known;
  }

  async status(): Promise<NodeStatus> {
    const [sys, folders, devices, conns, stats, pendingRaw] = await Promise.all([
      this.rest.systemStatus(),
      this.rest.folders(),
      this.rest.devices(),
      this.rest.connections(),
      this.rest.deviceStats(),
      this.rest.pendingDevices().catch(() => ({})),
    ]);
    const me = sys.myID;
    const folder = folders.find((f) => f.id === FOLDER_ID) ?? null;
    const shared = new Set(folder?.devices.map((d) => d.deviceID) ?? []);
    const services = Object.entries(sys.connectionServiceStatus ?? {});
    const listening = services.flatMap(([, s]) => (s.error ? [] : (s.lanAddresses ?? [])));
    const listenErrors = services.flatMap(([addr, s]) => (s.error ? [`cannot listen on ${addr}: ${s.error}`] : []));
    const dial = sys.lastDialStatus ?? {};
    const peers: PeerState[] = [];
    for (const d of devices) {
      if (d.deviceID === me || !shared.has(d.deviceID)) continue;
      const c = conns.connections[d.deviceID];
      const addresses = d.addresses ?? [];
      const errors = addresses.map((a) => dial[a]?.error).filter((e): e is string => !!e);
      let completion: number | null = null;
      if (c?.connected && folder)
        completion = await this.rest.completion(FOLDER_ID, d.deviceID).then(
          (x) => x.completion,
          () => null,
        );
      peers.push({
        deviceId: d.deviceID,
        name: d.name ?? '',
        addresses,
        connected: !!c?.connected,
        address: c?.connected ? (c.address ?? null) : null,
        completion,
        lastSeen: unixOrNull(stats[d.deviceID]?.lastSeen),
        paused: !!(d.paused || c?.paused),
        error: c?.connected ? null : (errors[0] ?? null),
      });
    }
    peers.sort((a, b) => (a.name || a.deviceId).localeCompare(b.name || b.deviceId));
    const pending = Object.entries(pendingRaw).map(([deviceId, p]) => ({
      deviceId,
      name: p.name ?? '',
      address: p.address ?? '',
    }));
    let folderState: FolderState | null = null;
    const arriving = new Map<string, { channel: string; hour: number }>();
    if (folder) {
      const [st, comp, errs, need] = await Promise.all([
        this.rest.folderStatus(FOLDER_ID),
        this.rest.completion(FOLDER_ID),
        this.rest.folderErrors(FOLDER_ID).catch(() => ({ errors: [] })),
        this.rest.need(FOLDER_ID, NEED_PAGE).catch(() => ({ progress: [], queued: [], rest: [] })),
      ]);
      folderState = {
        state: st.state,
        completion: comp.completion,
        needFiles: st.needFiles ?? 0,
        needBytes: st.needBytes ?? 0,
        errors: (errs.errors ?? []).map((e) => ({ path: e.path, error: e.error })),
      };
      for (const f of [...(need.progress ?? []), ...(need.queued ?? []), ...(need.rest ?? [])]) {
        const h = hourOfPath(f.name);
        if (h) arriving.set(`${h.channel}/${h.hour}`, h);
      }
    }
    return {
      deviceId: me,
      listening,
      listenErrors,
      folder: folderState,
      peers,
      pending,
      arriving: [...arriving.values()].sort((a, b) =>
        a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : a.hour - b.hour,
      ),
    };
  }
}

function unixOrNull(iso: string | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso) / 1000;
  // Syncthing says 1970 (or year 1) for "never".
  return Number.isFinite(t) && t > 86400 ? t : null;
}
