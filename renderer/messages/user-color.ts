/**
 * Sender colours: the user's chosen `color` tag, or Twitch's default palette picked by
 * login, then nudged in lightness so it stays readable on the current theme.
 */
const DEFAULTS = [
  '#FF0000',
  '#0000FF',
  '#008000',
  '#B22222',
  '#FF7F50',
  '#9ACD32',
  '#FF4500',
  '#2E8B57',
  '#DAA520',
  '#D2691E',
  '#5F9EA0',
  '#1E90FF',
  '#FF69B4',
  '#8A2BE2',
  '#00FF7F',
];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function hexToHsl(hex: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return null;
  const n = parseInt(m[1]!, 16);
  const r = ((n >> 16) & 255) / 255;
  const g = ((n >> 8) & 255) / 255;
  const b = (n & 255) / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [h * 60, s, l];
}

export type Scheme = 'light' | 'dark';

/** The backgrounds a name sits on in each theme (the list, a hovered row, the selected row): it must read on all. */
const BACKGROUNDS: Record<Scheme, string[]> = {
  light: ['#ffffff', '#f6f7f9', '#f1f3f7', '#e9e4ff'],
  dark: ['#14161b', '#1b1e25', '#20242c', '#2c2552'],
};
/** WCAG 2.2 AA for normal text is 4.5; a little more keeps rounding of the CSS colour on the safe side. */
const MIN_CONTRAST = 4.6;

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

const hexRgb = (hex: string): [number, number, number] => {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
};

/** WCAG contrast ratio of two relative luminances. */
export const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/**
 * A sender's colour as chosen (or Twitch's default for the login), with its lightness
 * moved, in whole percent, only as far as needed for AA contrast on every background of
 * the theme.
 */
export function userColor(tagColor: string | null | undefined, login: string, scheme: Scheme): string {
  const base = tagColor && /^#[0-9a-f]{6}$/i.test(tagColor) ? tagColor : DEFAULTS[hash(login) % DEFAULTS.length]!;
  const [h, s, l] = hexToHsl(base)!;
  const hue = Math.round(h);
  const sat = Math.round(s * 100);
  const bgs = BACKGROUNDS[scheme].map((c) => luminance(hexRgb(c)));
  const reads = (pct: number) => {
    const lum = luminance(hslToRgb(hue, sat / 100, pct / 100));
    return bgs.every((b) => contrast(lum, b) >= MIN_CONTRAST);
  };
  let pct = Math.round(l * 100);
  const step = scheme === 'dark' ? 1 : -1;
  while (!reads(pct) && pct + step >= 0 && pct + step <= 100) pct += step;
  return `hsl(${hue} ${sat}% ${pct}%)`;
}
