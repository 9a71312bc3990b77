/**
 * The safe fetch against a real server on 127.0.0.1: each refusal of issue 11 item 4 (private
 * addresses, redirects into them, oversize, wrong type), DNS rebinding, and linked media
 * stored by URL hash with its metadata.
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeGet, type FetchPolicy } from '../../app/images/safe-fetch.js';
import { openImageContext } from '../../app/images/download.js';
import { archiveMedia, linksOf } from '../../app/images/media.js';
import { mediaFile, mediaInfoFile } from '../../app/images/layout.js';
import { png } from '../support/fake-images.js';
import { guardLoopbackOnly } from '../support/loopback-guard.js';

let server: http.Server;
let base: string;
let port: number;
const hits = new Map<string, number>();
const PNG = png(8, [200, 10, 10]);

let unguard: () => void;

beforeAll(async () => {
  unguard = guardLoopbackOnly();
  server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const redirect = (to: string, status = 302) => res.writeHead(status, { location: to }).end();
    switch (p) {
      case '/img.png':
        return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
      case '/host':
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(req.headers.host);
      case '/to-private':
        return redirect('http://10.0.0.1/secret.png');
      case '/to-metadata':
        return redirect('http://169.254.169.254/latest/meta-data/', 301);
      case '/to-mapped':
        return redirect('http://[::ffff:192.168.1.1]/x.png', 307);
      case '/to-file':
        return redirect('file:///etc/passwd');
      case '/relative':
        return redirect('/img.png', 308);
      case '/loop':
        return redirect('/loop');
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5000 });
        return void res.end(Buffer.alloc(5000));
      case '/big-chunked':
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
        return void res.end();
      case '/page':
        return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<script>alert(1)</script>');
      case '/svg':
        return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg onload="alert(1)"/>');
      case '/untyped':
        return void res.writeHead(200).end(PNG);
      case '/video.mp4':
        return void res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('....ftypmp42'));
      default:
        return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  unguard();
  await new Promise<void>((r) => server.close(() => r()));
});

const images: FetchPolicy = { maxBytes: 2000, types: ['image/png'], allowLoopback: true, timeoutMs: 10_000 };

describe('safe fetch', () => {
  it('fetches from an allowed address', async () => {
    const r = await safeGet(`${base}/img.png`, images);
    expect(r).toMatchObject({ ok: true, contentType: 'image/png' });
    expect(r.ok && r.bytes.equals(PNG)).toBe(true);
  });

  it('refuses loopback unless allowed: by address without connecting, by name after resolving', async () => {
    const before = hits.get('/img.png') ?? 0;
    const strict = { ...images, allowLoopback: false };
    expect(await safeGet(`${base}/img.png`, strict)).toMatchObject({
      ok: false,
      failure: 'refused',
      message: expect.stringMatching(/loopback/),
    });
    expect(await safeGet(`http://localhost:${port}/img.png`, strict)).toMatchObject({
      ok: false,
      failure: 'refused',
      message: expect.stringMatching(/localhost resolves to a loopback address/),
    });
    expect(await safeGet(`http://[::1]:${port}/img.png`, strict)).toMatchObject({ ok: false, failure: 'refused' });
    expect(hits.get('/img.png') ?? 0).toBe(before);
  });

  it('refuses private, link-local, CGNAT and mapped addresses in the URL', async () => {
    for (const url of [
      'http://10.0.0.1/x.png',
      'http://192.168.0.10/x.png',
      'http://172.20.1.1/x.png',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.1.1/x.png',
      'http://0.0.0.0/x.png',
      'http://[::ffff:10.0.0.1]/x.png',
      'http://[fd00::1]/x.png',
      'http://[fe80::1]/x.png',
    ])
      expect(await safeGet(url, images), url).toMatchObject({ ok: false, failure: 'refused' });
  });

  it('refuses a host that resolves to a private address, also when only one of its addresses is', async () => {
    const resolveTo =
      (...addrs: string[]) =>
      async () =>
        addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    expect(
      await safeGet(`http://cdn.example:${port}/img.png`, { ...images, resolve: resolveTo('10.1.2.3') }),
    ).toMatchObject({
      ok: false,
      failure: 'refused',
      message: expect.stringMatching(/cdn\.example resolves to a private address \(10\.1\.2\.3\)/),
    });
    expect(
      await safeGet(`http://cdn.example:${port}/img.png`, { ...images, resolve: resolveTo('127.0.0.1', 'fd12::1') }),
    ).toMatchObject({ ok: false, failure: 'refused' });
  });

  it('connects to the address it checked: a rebinding DNS answer is never asked for twice', async () => {
    const answers = ['127.0.0.1', '10.9.9.9'];
    let lookups = 0;
    const rebinding = async () => [{ address: answers[Math.min(lookups++, 1)]!, family: 4 }];
    const r = await safeGet(`http://rebind.example:${port}/host`, { ...images, resolve: rebinding });
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.bytes.toString()).toBe(`rebind.example:${port}`);
    expect(lookups).toBe(1);
  });

  it('follows redirects by hand and checks every hop', async () => {
    for (const p of ['/to-private', '/to-metadata', '/to-mapped'])
      expect(await safeGet(`${base}${p}`, images), p).toMatchObject({ ok: false, failure: 'refused' });
    expect(await safeGet(`${base}/to-file`, images)).toMatchObject({
      ok: false,
      failure: 'refused',
      message: 'file: URLs are not fetched',
    });
    expect(await safeGet(`${base}/relative`, images)).toMatchObject({ ok: true, url: `${base}/img.png` });
    expect(await safeGet(`${base}/loop`, images)).toMatchObject({
      ok: false,
      failure: 'refused',
      message: expect.stringMatching(/too many redirects/),
    });
  });

  it('caps the size, declared or not', async () => {
    expect(await safeGet(`${base}/big-declared`, images)).toMatchObject({ ok: false, failure: 'too-large' });
    expect(await safeGet(`${base}/big-chunked`, images)).toMatchObject({ ok: false, failure: 'too-large' });
  });

  it('checks the content type before reading the body', async () => {
    expect(await safeGet(`${base}/page`, images)).toMatchObject({
      ok: false,
      failure: 'type',
      message: expect.stringMatching(/text\/html/),
    });
    expect(await safeGet(`${base}/svg`, { ...images, types: ['image/png', 'video/mp4'] })).toMatchObject({
      ok: false,
      failure: 'type',
    });
    expect(await safeGet(`${base}/untyped`, images)).toMatchObject({
      ok: false,
      failure: 'type',
      message: expect.stringMatching(/no content type/),
    });
  });

  it('fetches http(s) only, never with credentials', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'data:image/png;base64,AAAA', 'javascript:alert(1)'])
      expect(await safeGet(url, images), url).toMatchObject({ ok: false, failure: 'refused' });
    expect(await safeGet(`http://u:p@127.0.0.1:${port}/img.png`, images)).toMatchObject({
      ok: false,
      failure: 'refused',
    });
  });

  it('trusts the origins the user configured, and only those', async () => {
    const strict = { ...images, allowLoopback: false, trustedOrigins: new Set([base]) };
    expect(await safeGet(`${base}/img.png`, strict)).toMatchObject({ ok: true });
    expect(await safeGet(`http://localhost:${port}/img.png`, strict)).toMatchObject({ ok: false, failure: 'refused' });
  });

  it('reports a 404 with its status, and a closed port as a network failure', async () => {
    expect(await safeGet(`${base}/nothing`, images)).toMatchObject({ ok: false, failure: 'http', status: 404 });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await safeGet(`http://127.0.0.1:${closedPort}/x`, images)).toMatchObject({ ok: false, failure: 'network' });
  });
});

describe('linked media', () => {
  it('finds http(s) links in message text', () => {
    expect(linksOf('look https://i.imgur.com/abc.png, and (http://x.example/a.gif) ftp://no www.no.com')).toEqual([
      'https://i.imgur.com/abc.png',
      'http://x.example/a.gif',
    ]);
    expect(linksOf('\x01ACTION https://twitter.com/nymnion nymnBenis\x01')).toEqual(['https://twitter.com/nymnion']);
    expect(linksOf('no links here')).toEqual([]);
  });

  it('stores media by URL hash with its metadata; each refusal is stored nowhere and remembered', async () => {
    const segments = fs.mkdtempSync(path.join(os.tmpdir(), 'media-'));
    try {
      const ctx = await openImageContext({
        segments,
        allowLoopback: true,
        retry: { attempts: 1, baseMs: 1, maxMs: 1 },
      });
      const ok = await archiveMedia(ctx, `${base}/img.png`, 2000);
      expect(ok.status).toBe('stored');
      expect(fs.readFileSync(mediaFile(segments, `${base}/img.png`)).equals(PNG)).toBe(true);
      const info = JSON.parse(fs.readFileSync(mediaInfoFile(segments, `${base}/img.png`), 'utf8'));
      expect(info).toMatchObject({
        url: `${base}/img.png`,
        final_url: `${base}/img.png`,
        content_type: 'image/png',
        bytes: PNG.length,
      });
      expect(path.basename(mediaFile(segments, `${base}/img.png`))).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await archiveMedia(ctx, `${base}/video.mp4`, 2000)).status).toBe('stored');
      expect((await archiveMedia(ctx, `${base}/img.png`, 2000)).status).toBe('present');

      const refused = {
        private: 'http://10.0.0.1/a.png',
        redirect: `${base}/to-private`,
        oversize: `${base}/big-chunked`,
        type: `${base}/page`,
      };
      for (const [why, url] of Object.entries(refused)) {
        const o = await archiveMedia(ctx, url, 2000);
        expect(o, why).toMatchObject({ status: 'missing', known: false });
        expect(fs.existsSync(mediaFile(segments, url)), why).toBe(false);
      }
      const pageHits = hits.get('/page');
      expect(await archiveMedia(ctx, refused.type, 2000)).toMatchObject({ status: 'missing', known: true });
      expect(hits.get('/page')).toBe(pageHits);
      await ctx.memory.save();
      const strict = await openImageContext({ segments });
      expect(await archiveMedia(strict, `${base}/img2.png`, 2000)).toMatchObject({
        status: 'missing',
        reason: expect.stringMatching(/loopback/),
      });
      expect(await archiveMedia(strict, refused.oversize, 2000)).toMatchObject({ status: 'missing', known: true });
    } finally {
      fs.rmSync(segments, { recursive: true, force: true });
    }
  });
});
