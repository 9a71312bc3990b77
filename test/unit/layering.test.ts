/**
 * The architecture as a test: arrows point down only. app/ runs in plain Node (no
 * electron, no react); renderer/ talks to the typed API, never to Node; main/ reaches the
 * core only through app/service/ (the boundary) and the dependency-free app/rules.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Every module specifier a file imports (static, dynamic, re-export). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** Imports of `dir`'s files that break `rule`, as `file -> specifier`. */
function violations(dir: string, rule: (spec: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of sources(dir)) {
    for (const spec of importsOf(readFileSync(path.join(root, file), 'utf8'))) {
      if (rule(spec, file)) out.push(`${file} -> ${spec}`);
    }
  }
  return out;
}

const resolved = (spec: string, file: string) =>
  spec.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), spec)) : spec;

describe('layering', () => {
  it('finds imports of every form (the check itself can fail)', () => {
    expect(
      importsOf(
        `import a from 'x';\nimport { b } from "y";\nexport * from './z.js';\nconst c = await import('w');\nimport 'side';`,
      ),
    ).toEqual(['x', 'y', './z.js', 'w', 'side']);
    expect(violations('main', (s) => s === 'electron').length).toBeGreaterThan(0);
  });

  it('app/ imports neither electron nor react', () => {
    expect(violations('app', (s) => /^(electron|react|react-dom)(\/|$)/.test(s))).toEqual([]);
  });

  it('renderer/ imports no node: modules, no electron, and of app/ only the contract, the rules and the HTTP client', () => {
    const allowed = new Set(['app/service/contract.js', 'app/rules.js', 'app/service/http-client.js']);
    expect(
      violations('renderer', (s, f) => {
        if (s.startsWith('node:') || s === 'electron' || /^(fs|path|child_process|os|crypto)$/.test(s)) return true;
        const r = resolved(s, f);
        return r.startsWith('app/') && !allowed.has(r);
      }),
    ).toEqual([]);
  });

  it('main/ reaches app/ only through app/service/ and app/rules', () => {
    expect(
      violations('main', (s, f) => {
        const r = resolved(s, f);
        return r.startsWith('app/') && !r.startsWith('app/service/') && r !== 'app/rules.js';
      }),
    ).toEqual([]);
  });

  it('the archive core (app/archive) imports nothing above it', () => {
    expect(
      violations('app/archive', (s, f) => {
        const r = resolved(s, f);
        return r.startsWith('app/') && !r.startsWith('app/archive/') && r !== 'app/rules.js';
      }),
    ).toEqual([]);
  });

  it('every room of app/ imports only from its own room or a lower floor', () => {
    const wrong = violations('app', (s, f) => {
      const r = resolved(s, f);
      if (!r.startsWith('app/')) return false;
      const from = floorOf(f);
      const to = floorOf(r);
      return roomOf(f) !== roomOf(r) && !(to < from);
    });
    expect(wrong).toEqual([]);
  });

  it('knows the floor of every room of app/ (a new room needs its place in FLOORS)', () => {
    const rooms = new Set(sources('app').map(roomOf));
    expect([...rooms].filter((r) => !(r in FLOORS))).toEqual([]);
    // The rule itself can fail: an import from the recorder up into the service would be one.
    expect(floorOf('app/record/recorder.ts') < floorOf('app/service/contract.ts')).toBe(true);
  });
});

/**
 * The floors of app/ (README "Code layout"): a room may import from its own room and from
 * rooms on lower floors only. Rooms on one floor (record, query, images, foreign) do not import
 * each other: what they share belongs a floor down.
 */
const FLOORS: Record<string, number> = {
  'app/rules.ts': 0,
  'app/archive': 1,
  'app/record': 2,
  'app/query': 2,
  'app/images': 2,
  'app/foreign': 2,
  'app/sync': 3,
  'app/service': 4,
  'app/cli': 5,
};

/** `app/<folder>` for files in a folder, the file itself for a file directly in app/. */
function roomOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file.replace(/\.js$/, '.ts');
}

function floorOf(file: string): number {
  return FLOORS[roomOf(file)] ?? Infinity;
}
