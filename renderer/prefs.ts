/**
 * How this viewer reads (this browser's choice, not the archive's): UTC, local time or an
 * offset from a chosen start; one line per message. Kept in localStorage.
 */
import { useCallback, useState } from 'react';
import type { TimeFormat, TimeMode } from './format.js';

export interface Prefs {
  time: TimeFormat;
  compact: boolean;
}

const KEY = 'chat-archiver.view';
const MODES: TimeMode[] = ['utc', 'local', 'offset'];
const DEFAULT: Prefs = { time: { mode: 'utc', origin: 0 }, compact: false };

function load(): Prefs {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<{
      mode: string;
      origin: number;
      compact: boolean;
    }> | null;
    if (!v) return DEFAULT;
    return {
      time: {
        mode: MODES.includes(v.mode as TimeMode) ? (v.mode as TimeMode) : 'utc',
        origin: typeof v.origin === 'number' && Number.isFinite(v.origin) ? v.origin : 0,
      },
      compact: v.compact === true,
    };
  } catch {
    return DEFAULT;
  }
}

export function usePrefs(): [Prefs, (p: Prefs) => void] {
  const [prefs, setPrefs] = useState<Prefs>(load);
  const save = useCallback((p: Prefs) => {
    setPrefs(p);
    try {
      localStorage.setItem(KEY, JSON.stringify({ mode: p.time.mode, origin: p.time.origin, compact: p.compact }));
    } catch {
      // storage refused (private mode): the choice lasts for this page
    }
  }, []);
  return [prefs, save];
}
