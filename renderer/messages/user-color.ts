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

export function userColor(tagColor: string | null | undefined, login: string, scheme: Scheme): string {
  const base = tagColor && /^#[0-9a-f]{6}$/i.test(tagColor) ? tagColor : DEFAULTS[hash(login) % DEFAULTS.length]!;
  const [h, s, l] = hexToHsl(base)!;
  const lightness = scheme === 'dark' ? Math.max(l, 0.62) : Math.min(l, 0.4);
  return `hsl(${h.toFixed(0)} ${(s * 100).toFixed(0)}% ${(lightness * 100).toFixed(0)}%)`;
}
