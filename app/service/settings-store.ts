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
import type { z } from 'zod';
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
    channels: [],
    recordOnLaunch: false,
    fetchImages: true,
    fetchMedia: false,
  };
}

export type SettingsPatch = ArgsOf<'setSettings'>;

/** What a patch does: the settings after it, and what must follow it. */
export interface SettingsChange {
  next: Settings;
  /** The archive folder is another one: the index must be reopened. */
  moved: boolean;
  /** Folder, node name, server, login or images changed: the recorder was made with the old ones. */
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
    next.nodeName !== current.nodeName ||
    next.fetchImages !== current.fetchImages ||
    next.fetchMedia !== current.fetchMedia;
  return ok({ next, moved, recorderChanged });
}

export class SettingsStore {
  #current: Settings;
  #problem: string | null;

  private constructor(
    private readonly file: string | null,
    current: Settings,
    problem: string | null,
  ) {
    this.#current = current;
    this.#problem = problem;
  }

  /**
   * The saved settings over this machine's defaults. `segmentsDir` (the caller's folder: a
   * command-line flag, the desktop's default) wins unless the archive may be moved.
   *
   * A file that breaks the schema is never overwritten: it is renamed aside
   * (`settings.json.invalid-<time>`), the settings that keep their rules stay in use (and
   * are saved), and `problem` says what happened until the next save.
   */
  static async load(file: string | null, segmentsDir: string, allowSegmentsChange: boolean): Promise<SettingsStore> {
    const saved = file ? await readSaved(file) : { settings: {}, problem: null };
    const settings = { ...defaultSettings(segmentsDir), ...saved.settings };
    if (!allowSegmentsChange) settings.segmentsDir = segmentsDir;
    const store = new SettingsStore(file, settings, saved.problem);
    if (saved.problem && saved.keptAside) await store.#write(settings).catch(() => undefined);
    return store;
  }

  get current(): Readonly<Settings> {
    return this.#current;
  }

  /** What was wrong with the settings file when it was loaded; null once settings were saved. */
  get problem(): string | null {
    return this.#problem;
  }

  /** Takes `next` and writes it (no file: kept in memory only). */
  async save(next: Settings): Promise<void> {
    this.#current = next;
    await this.#write(next);
    this.#problem = null;
  }

  async #write(settings: Settings): Promise<void> {
    if (!this.file) return;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, Buffer.from(JSON.stringify(settings, null, 2) + '\n'), true);
  }
}

/** The settings of a file that keep their rules, and what is wrong with the rest (the file then renamed aside). */
async function readSaved(
  file: string,
): Promise<{ settings: Partial<Settings>; problem: string | null; keptAside?: boolean }> {
  let wrong: string[];
  const settings: Record<string, unknown> = {};
  try {
    const json: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    const whole = settingsSchema.partial().safeParse(json);
    if (whole.success) return { settings: whole.data, problem: null };
    wrong = fieldProblems(json, settings);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, problem: null }; // first run
    wrong = [e instanceof SyntaxError ? `not JSON (${e.message})` : `cannot be read (${(e as Error).message})`];
  }
  const name = path.basename(file);
  const aside = `${file}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const rest = Object.keys(settings).length ? 'the others are in use' : 'the defaults are in use';
  try {
    await fs.rename(file, aside);
  } catch (e) {
    return {
      settings,
      problem: `${name} cannot be used: ${wrong.join('; ')}; it could not be kept aside (${(e as Error).message}) and is replaced when settings are saved; ${rest}`,
    };
  }
  return {
    settings,
    problem: `${name} cannot be used: ${wrong.join('; ')}; the file was kept as ${path.basename(aside)}; ${rest}`,
    keptAside: true,
  };
}

/** Each field of a saved object checked alone: valid ones go to `keep`, the others are named. */
function fieldProblems(json: unknown, keep: Record<string, unknown>): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['not a JSON object'];
  const fields: Record<string, z.ZodType> = settingsSchema.shape;
  const wrong: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    const r = field?.safeParse(value);
    if (r?.success) keep[key] = r.data;
    else
      wrong.push(
        `${JSON.stringify(key.slice(0, 64))}: ${r ? (r.error.issues[0]?.message ?? 'not valid') : 'not a setting'}`,
      );
  }
  return wrong;
}
