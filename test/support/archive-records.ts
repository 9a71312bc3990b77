/** Reads every record of every batch file in a segments folder (tests only). */
import fs from 'node:fs';
import path from 'node:path';
import type { ChatRecord } from '../../app/archive/record.js';

export function readAllRecords(segments: string): ChatRecord[] {
  const out: ChatRecord[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      // Coverage records are not chat records (README "Coverage records").
      if (e.name.startsWith('.') || e.name === 'coverage') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json'))
        for (const l of fs.readFileSync(p, 'utf8').split('\n')) if (l) out.push(JSON.parse(l) as ChatRecord);
    }
  };
  walk(segments);
  return out;
}
