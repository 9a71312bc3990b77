/**
 * Time zones of local-time logs (Chatterino): the abbreviation Qt writes in the header
 * (`QDateTime::timeZoneAbbreviation`: "CET", "UTC", "GMT+1", "UTC+05:30", ...), or what the user
 * gives: an IANA name (DST followed line by line) or a fixed offset. Abbreviations that name
 * several zones (CST, IST, ...) are not guessed.
 */
export type Zone = { offset: number } | { iana: string };

/** Minutes east of UTC of abbreviations that mean one offset. */
const ABBREVIATIONS: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MEZ: 60,
  MESZ: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  SAST: 120,
};

const OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** A fixed zone from an abbreviation or an offset text; null when it cannot be placed. */
export function fixedZone(text: string): Zone | null {
  const t = text.trim();
  const upper = t.toUpperCase();
  if (Object.hasOwn(ABBREVIATIONS, upper)) return { offset: ABBREVIATIONS[upper]! };
  const m = OFFSET.exec(upper);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return { offset: (m[1] === '-' ? -1 : 1) * minutes };
}

/** `--timezone`: an IANA name or a fixed offset; null when it is neither. */
export function userZone(text: string): Zone | null {
  const fixed = fixedZone(text);
  if (fixed) return fixed;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
    return { iana: text };
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of an IANA zone at the UTC instant `ms`. */
function ianaOffset(zone: string, ms: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The UTC instant (ms) of a wall-clock time in `zone` (`localMs`: that wall clock read as if it were UTC). */
export function toUtc(localMs: number, zone: Zone): number {
  if ('offset' in zone) return localMs - zone.offset * 60_000;
  // Two rounds settle every instant but the hour a DST change skips or repeats (then either reading).
  let utc = localMs - ianaOffset(zone.iana, localMs) * 60_000;
  utc = localMs - ianaOffset(zone.iana, utc) * 60_000;
  return utc;
}
