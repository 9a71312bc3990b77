#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build:cli` (run by `npm ci`/`npm install` via `prepare`).
import('../dist/app/cli/main.js').then(({ main }) => main(process.argv), (e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/app/cli')) {
    console.error('chat-archiver: not built yet; run `npm run build:cli` in the project folder');
    process.exit(2);
  }
  throw e;
});
