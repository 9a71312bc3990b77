import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { HttpArchiveClient } from '../../app/service/http-client.js';
import { CONTENT_SECURITY_POLICY } from '../../app/service/csp.js';
import type { ApiEvent } from '../../app/service/contract.js';
import { rawRequest, serveTemp, type Served } from '../support/http-serve.js';
import { tempDir } from '../support/service-archive.js';
import { ensureRendererBuilt } from '../support/renderer-build.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function served(opts?: Parameters<typeof serveTemp>[0]): Promise<Served> {
  const s = await serveTemp(opts);
  stops.push(s.stop);
  return s;
}

const post = (url: string, method: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL(`api/${method}`, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('serve over HTTP', () => {
  it('answers the typed API through the HTTP client, with events over SSE', async () => {
    const s = await served();
    const client = new HttpArchiveClient({ baseUrl: s.server.url, reconnectMs: 50 });
    stops.push(async () => client.close());
    const events: ApiEvent[] = [];
    const changed = new Promise<void>((resolve) =>
      client.onEvent((e) => {
        events.push(e);
        if (e.type === 'archiveChanged' && e.channel === 'nymn') resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 100)); // let the event stream connect
    expect(await client.createSampleArchive({})).toEqual({ ok: true, value: { channel: 'nymn', records: 800 } });
    await changed;
    const channels = await client.listChannels({});
    expect(channels).toMatchObject({ ok: true, value: [{ channel: 'nymn', records: 800 }] });
    const page = await client.records({ channel: 'nymn', from: 1704556800, to: 1704560400, offset: 10, limit: 5 });
    expect(page.ok && page.value.rows.length).toBe(5);
    const bad = await client.summary({ channel: 'NYMN', from: 0, to: 1, resolution: 'hour' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await client.pickFolder({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('turns an unreachable server into a typed error', async () => {
    const client = new HttpArchiveClient({ baseUrl: 'http://127.0.0.1:9' });
    expect(await client.listChannels({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('serves the built renderer with its CSP and refuses path traversal', async () => {
    const s = await served();
    const index = await fetch(s.server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>Chat Archiver</title>');
    const js = await fetch(new URL('assets/app.js', s.server.url));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const p of [
      '/../settings.json',
      '/%2e%2e/settings.json',
      '/..%2fsettings.json',
      '/assets/..%2f..%2fsettings.json',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/a%00b',
      '/..\\settings.json',
    ]) {
      const r = await rawRequest(s.server.url, { path: p });
      expect(r.status, p).not.toBe(200);
      expect(r.body).not.toContain('segmentsDir');
    }
  });

  it('refuses foreign Host headers, cross-origin calls and non-JSON bodies', async () => {
    const s = await served();
    const host = await rawRequest(s.server.url, { path: '/', headers: { host: 'attacker.example:80' } });
    expect(host.status).toBe(403);
    const origin = await post(s.server.url, 'listChannels', {}, { origin: 'http://attacker.example' });
    expect(origin.status).toBe(403);
    const form = await fetch(new URL('api/createSampleArchive', s.server.url), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(400);
    const notJson = await fetch(new URL('api/listChannels', s.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(await notJson.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const unknown = await post(s.server.url, 'deleteEverything', {});
    expect(unknown.status).toBe(404);
    // A typed error is an answer, not a failed request.
    const typed = await post(s.server.url, 'summary', { channel: 'NYMN', from: 0, to: 1, resolution: 'hour' });
    expect(typed.status).toBe(200);
    expect(await typed.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const big = await fetch(new URL('api/listChannels', s.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(await big.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  });

  it('requires the token when one is set: bearer, cookie from ?token=, or query for events', async () => {
    const token = 'a-long-enough-secret-token';
    const s = await served({ token });
    expect((await post(s.server.url, 'listChannels', {})).status).toBe(403);
    expect(
      (await post(s.server.url, 'listChannels', {}, { authorization: 'Bearer wrong-token-wrong-token' })).status,
    ).toBe(403);
    expect((await post(s.server.url, 'listChannels', {}, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await fetch(s.server.url)).status).toBe(403);
    const swap = await fetch(`${s.server.url}?token=${token}`, { redirect: 'manual' });
    expect(swap.status).toBe(303);
    const cookie = swap.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await fetch(s.server.url, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    const client = new HttpArchiveClient({ baseUrl: s.server.url, token });
    expect(await client.indexStatus({})).toMatchObject({ ok: true });
  });

  it('makes write methods forbidden on a read-only server', async () => {
    const s = await served();
    expect(await s.service.call('createSampleArchive', {}, { readOnly: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await s.service.call('listChannels', {}, { readOnly: true })).toMatchObject({ ok: true });
  });
});

describe('chat-archiver serve (the command)', () => {
  const cli = path.resolve('app/cli/main.ts');
  const run = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it('refuses a non-loopback host without a token, before listening', async () => {
    const t = await tempDir();
    stops.push(t.cleanup);
    const p = run(['--segments', t.dir, '--host', '0.0.0.0', '--port', '0']);
    let stderr = '';
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/without --token/);
  });

  it('serves on loopback, prints the URL, answers, serves the built renderer, and stops cleanly on SIGTERM', async () => {
    await ensureRendererBuilt();
    const t = await tempDir();
    stops.push(t.cleanup);
    const p = run(['--segments', t.dir, '--port', '0']);
    const exited = new Promise<number | null>((resolve) => p.on('exit', resolve));
    stops.push(async () => {
      if (p.exitCode === null) p.kill('SIGKILL');
      await exited;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      p.on('exit', () => reject(new Error(`serve exited early: ${out}`)));
    });
    const r = await post(url, 'createSampleArchive', {});
    expect(await r.json()).toEqual({ ok: true, value: { channel: 'nymn', records: 800 } });
    // The built renderer, with its CSP on the page and on every asset the page loads.
    const page = await fetch(url);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const assets = [...(await page.text()).matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      const res = await fetch(new URL(a, url));
      expect(res.status, a).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
