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

  it('the images room (app/images) imports only the archive core and the rules, never the recorder or above', () => {
    expect(
      violations('app/images', (s, f) => {
        const r = resolved(s, f);
        return (
          r.startsWith('app/') && !r.startsWith('app/images/') && !r.startsWith('app/archive/') && r !== 'app/rules.js'
        );
      }),
    ).toEqual([]);
  });
});
