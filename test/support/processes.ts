/** Which processes are still running (Linux /proc): tests prove they leave none of theirs behind. */
import { readFileSync, readdirSync } from 'node:fs';

/** PIDs of processes whose command line contains any of `needles` (an argument like `--home=/tmp/x`). */
export function processesMentioning(needles: string[]): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (needles.some((n) => cmdline.includes(n))) out.push({ pid: Number(e), cmdline });
  }
  return out;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
