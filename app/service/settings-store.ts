/**
 * The service's settings: defaults for this machine, the settings file (validated with the
 * contract's schema when loaded, written atomically on every change), and the rules of a
 * change (which patches may move the archive, which ones need a new recorder).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../archive/atomic.js';
import { DEFAULT_HISTORY_URL, DEFAULT_SERVER } from '../record/defaults.js';
import { nodeNameFromHost } from '../rules.js';
import { settingsSchema, type ArgsOf, type Result, type Settings } from './contract.js';
import { fail, invalid, ok } from './validate.js';

/** This machine's settings before anyone changed them (the command line starts from them too). */
export function defaultSettings(segmentsDir: string): Settings {
  return {
    segmentsDir,
    nodeName: nodeNameFromHost(os.hostname()),
    server: DEFAULT_SERVER,
    login: { mode: 'anonymous' },
    historyGapFilling: true,
    historyUrl: DEFAULT_HISTORY_URL,
    keepRecordingInTray: false,
  };
}

export type SettingsPatch = ArgsOf<'setSettings'>;

/** What a patch does: the settings after it, and what must follow it. */
export interface SettingsChange {
  next: Settings;
  /** The archive folder is another one: the index must be reopened. */
  moved: boolean;
  /** Folder, node name, server or login changed: the recorder was made with the old ones. */
  recorderChanged: boolean;
}

/** Pure: checks a patch against the current settings. */
export function changeSettings(
  current: Readonly<Settings>,
  patch: SettingsPatch,
  allowSegmentsChange: boolean,
): Result<SettingsChange> {
  if (patch.segmentsDir !== undefined) {
    if (!allowSegmentsChange)
      return fail('forbidden', 'the archive folder of this server is fixed by its command line');
    if (!path.isAbsolute(patch.segmentsDir))
      return invalid('the archive folder must be an absolute path', patch.segmentsDir);
  }
  const next = { ...current, ...patch } as Settings;
  const moved = patch.segmentsDir !== undefined && path.resolve(patch.segmentsDir) !== current.segmentsDir;
  if (moved) next.segmentsDir = path.resolve(next.segmentsDir);
  const recorderChanged =
    moved ||
    JSON.stringify(next.login) !== JSON.stringify(current.login) ||
    next.server !== current.server ||
    next.nodeName !== current.nodeName;
  return ok({ next, moved, recorderChanged });
}

export class SettingsStore {
  #current: Settings;

  private constructor(
    private readonly file: string | null,
    current: Settings,
  ) {
    this.#current = current;
  }

  /**
   * The saved settings over this machine's defaults. `segmentsDir` (the caller's folder: a
   * command-line flag, the desktop's default) wins unless the archive may be moved.
   */
  static async load(file: string | null, segmentsDir: string, allowSegmentsChange: boolean): Promise<SettingsStore> {
    let settings = defaultSettings(segmentsDir);
    if (file) {
      try {
        const saved = settingsSchema.partial().safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
        if (saved.success) settings = { ...settings, ...saved.data };
      } catch {
        // first run or unreadable: defaults
      }
    }
    if (!allowSegmentsChange) settings.segmentsDir = segmentsDir;
    return new SettingsStore(file, settings);
  }

  get current(): Readonly<Settings> {
    return this.#current;
  }

  /** Takes `next` and writes it (no file: kept in memory only). */
  async save(next: Settings): Promise<void> {
    this.#current = next;
    if (!this.file) return;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, Buffer.from(JSON.stringify(next, null, 2) + '\n'), true);
  }
}
