/**
 * Electronegativity (advisory): scans the Electron main process, preload and renderer
 * sources and prints its findings. Called through its runner because its CLI breaks on
 * the newer commander this project installs.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity') as (
  options: Record<string, unknown>,
  forCli: boolean,
) => Promise<unknown>;
const root = path.resolve(import.meta.dirname, '..');

// One scan over main/ and renderer/ together, so global checks see the navigation and
// permission handlers in main/ and the CSP in renderer/index.html.
const scan = mkdtempSync(path.join(os.tmpdir(), 'electronegativity-'));
try {
  for (const dir of ['main', 'renderer']) cpSync(path.join(root, dir), path.join(scan, dir), { recursive: true });
  await run(
    {
      input: scan,
      customScan: [],
      excludeFromScan: [],
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: '45.0.0',
      parserPlugins: [],
    },
    true,
  );
} finally {
  rmSync(scan, { recursive: true, force: true });
}
