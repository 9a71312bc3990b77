/**
 * The Sync panel against `serve` and a real peer (its own Syncthing on 127.0.0.1): start
 * syncing, show and copy this node's ID, add the peer (a pasted ID in any case, an address),
 * see it connected and in sync and its channel arrive in the viewer, a mistyped ID refused in
 * plain words, remove the peer, stop; no Syncthing left running.
 */
import { afterAll, expect, test } from 'vitest';
import path from 'node:path';
import { writeRecords } from '../../app/archive/store.js';
import { ManagedSyncthing } from '../../app/sync/managed.js';
import { SyncNode } from '../../app/sync/node.js';
import { DEFAULT_TIMING } from '../../app/sync/folder-config.js';
import { openPage, screenshotBoth } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { T0, chatRecord, writeShapedChannel } from '../support/service-archive.js';
import { viewerSession } from '../support/viewer-session.js';

let peer: ManagedSyncthing | null = null;
let peerNode: SyncNode;
let peerPort = 0;
const s = viewerSession('sync', async (dir) => {
  await writeShapedChannel(path.join(dir, 'segments'));
  const segments = path.join(dir, 'peer', 'segments');
  await writeRecords(segments, 'otherchan', [
    chatRecord(T0 + 30, 'peer.ppppp.0', 'hello from the peer', 'PRIVMSG', 'otherchan'),
  ]);
  peerPort = await freePort();
  const network = { listen: [`tcp://127.0.0.1:${peerPort}`], discovery: false };
  peer = await ManagedSyncthing.start({
    home: path.join(dir, 'peer', 'syncthing'),
    segments,
    gui: '127.0.0.1:0',
    ...network,
  });
  peerNode = new SyncNode(peer.rest);
  await peerNode.setUp({ segments, timing: { ...DEFAULT_TIMING, watchDelayS: 1 }, network });
});
afterAll(async () => {
  await peer?.stop();
});

test('Sync panel: start, add a peer, see it connected and its channel arrive, remove it, stop', async () => {
  const { page: p, problems, close } = await openPage(s.browser, s.serve.url, { width: 1024, height: 700 });
  await p.getByRole('button', { name: 'Sync…', exact: true }).click();
  const panel = p.getByRole('dialog', { name: 'Sync' });
  await panel.getByRole('status').filter({ hasText: 'Off' }).waitFor();

  // Loopback only and no discovery for the test; then start.
  const port = await freePort();
  await panel.getByText('How this node syncs').click();
  await panel.getByLabel('Listen address (where peers reach this node)').fill(`tcp://127.0.0.1:${port}`);
  await panel.getByLabel(/Find peers by discovery/).uncheck();
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByRole('button', { name: 'Start syncing' }).click();
  await panel.getByRole('status').filter({ hasText: 'Syncing' }).waitFor({ timeout: 60_000 });
  const id = (await panel.getByLabel("This node's device ID").textContent())!;
  expect(id).toMatch(/^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/);
  await panel.getByRole('button', { name: 'Copy' }).click();
  await panel.getByRole('button', { name: 'Copied' }).waitFor();
  expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(id);
  await panel.getByText(`Peers reach it at tcp://127.0.0.1:${port}.`).waitFor();

  // A mistyped ID is refused in plain words.
  const peerId = (await peer!.rest.systemStatus()).myID;
  const typo = peerId.slice(0, 10) + (peerId[10] === 'A' ? 'B' : 'A') + peerId.slice(11);
  await panel.getByLabel('Peer device ID').fill(typo);
  await panel.getByRole('button', { name: 'Add peer' }).click();
  await panel.getByRole('alert').filter({ hasText: 'check characters do not match' }).waitFor();

  // Pasted as people paste: lower case, without dashes.
  await panel.getByLabel('Peer device ID').fill(peerId.replace(/-/g, '').toLowerCase());
  await panel.getByLabel('Peer address').fill(`tcp://127.0.0.1:${peerPort}`);
  await panel.getByLabel('Peer name').fill('peer-node');
  await panel.getByRole('button', { name: 'Add peer' }).click();
  const item = panel.getByRole('listitem', { name: 'Peer peer-node' });
  await item.waitFor();
  await peerNode.addPeer({ deviceId: id, addresses: [`tcp://127.0.0.1:${port}`] });
  await item.getByText(/connected at .*100 % in sync/).waitFor({ timeout: 60_000 });
  // The peer's channel arrived (and ours went to it).
  await p.getByRole('button', { name: /^otherchan: 1 records?/ }).waitFor({ timeout: 60_000 });
  await screenshotBoth(p, 'sync-panel');
  await panel.getByRole('button', { name: 'Close Sync' }).click();
  await p
    .getByRole('region', { name: 'Sync status' })
    .getByText(/Syncing · 1\/1 peer/)
    .waitFor();
  await screenshotBoth(p, 'sync-sidebar');

  await p.getByRole('button', { name: 'Sync…', exact: true }).click();
  await panel.getByRole('button', { name: 'Remove peer peer-node' }).click();
  await panel.getByText('No peers yet').waitFor();
  await panel.getByRole('button', { name: 'Stop syncing' }).click();
  await panel.getByRole('status').filter({ hasText: 'Off' }).waitFor({ timeout: 30_000 });
  expect(processesMentioning([`--home=${path.join(s.dir, 'segments', '.chat-archiver', 'syncthing')}`])).toEqual([]);
  expect(problems).toEqual([]);
  await close();
}, 180_000);
