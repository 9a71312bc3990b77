/**
 * The viewer: channels and recording on the left; on the right the timeline of the
 * visible span, the messages of the selected span and the selected record's details.
 * State lives here and in the URL hash; views get plain props.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  ChannelInfo,
  ChannelRecording,
  IndexStatus,
  MergeStatus,
  RecordRow,
  SyncStatus,
} from '../app/service/contract.js';
import { api } from './api.js';
import { MINUTE, count, floorTo } from './format.js';
import { useApiEvent, useLoad } from './hooks.js';
import { NO_FILTER, TEXT_FILTER_ID, type FilterState } from './messages/Filters.js';
import { MessagePane, type JumpRequest } from './messages/MessagePane.js';
import { useModeration } from './messages/use-moderation.js';
import { ChannelList } from './panels/ChannelList.js';
import { DetailsPanel } from './panels/DetailsPanel.js';
import { EmptyArchive } from './panels/EmptyArchive.js';
import { ImportDialog } from './panels/ImportDialog.js';
import { RecordingDialog, RecordingSidebar } from './panels/Recording.js';
import { SettingsDialog } from './panels/SettingsDialog.js';
import { Timeline } from './timeline/Timeline.js';
import { Toolbar } from './timeline/Toolbar.js';
import { SyncDialog, SyncSidebar } from './sync/SyncPanel.js';
import { arrivingHours } from './sync/words.js';
import { ErrorBox, Loading } from './ui/states.js';
import {
  fromHash,
  goToDay,
  openChannel,
  select,
  setZoom,
  stepHour,
  stepMinute,
  stepSpan,
  toHash,
  visible,
  zoomResolution,
  type View,
} from './view-state.js';

type DialogName = 'import' | 'record' | 'settings' | 'sync' | null;

const NO_VIEW: View = { channel: null, zoom: 'day', anchor: 0, sel: null };
/** Archive change events come in bursts while recording and merging; refresh at most this often. */
const REFRESH_MS = 1000;

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');

export function App() {
  const channels = useLoad('channels', () => api.listChannels({}));
  const [view, setView] = useState<View>(() => fromHash(location.hash) ?? NO_VIEW);
  const [filters, setFilters] = useState<FilterState>(NO_FILTER);
  const [selected, setSelected] = useState<string | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [jump, setJump] = useState<JumpRequest | null>(null);
  const [dialog, setDialog] = useState<DialogName>(null);
  const [recording, setRecording] = useState<ChannelRecording[]>([]);
  const [merge, setMerge] = useState<MergeStatus | null>(null);
  const [indexing, setIndexing] = useState<IndexStatus | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [version, setVersion] = useState(0);
  const [openWhenListed, setOpenWhenListed] = useState<string | null>(null);

  // Initial statuses; events keep them current afterwards.
  useEffect(() => {
    void api.recordingStatus({}).then((r) => r.ok && setRecording(r.value));
    void api.mergeStatus({}).then((r) => r.ok && setMerge(r.value));
    void api.indexStatus({}).then((r) => r.ok && setIndexing(r.value));
    // Where sync is not available (a test server without it) the panel stays hidden.
    void api.syncStatus({}).then((r) => r.ok && setSync(r.value));
  }, []);

  const list = channels.value;
  // Open a channel when none (or an unknown one) is shown.
  useEffect(() => {
    if (!list || list.length === 0) return;
    const wanted = list.find((c) => c.channel === openWhenListed);
    if (wanted) {
      setOpenWhenListed(null);
      setView(openChannel(wanted.channel, wanted.last, Date.now() / 1000));
      return;
    }
    if (!view.channel || !list.some((c) => c.channel === view.channel)) {
      const first = list[0]!;
      setView(openChannel(first.channel, first.last, Date.now() / 1000));
    }
  }, [list, openWhenListed, view.channel]);

  useEffect(() => {
    const hash = toHash(view);
    if (hash && hash !== location.hash) history.replaceState(null, '', hash);
  }, [view]);
  useEffect(() => {
    const onHash = () => {
      const v = fromHash(location.hash);
      if (v) setView(v);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const [from, to] = visible(view);
  const resolution = zoomResolution[view.zoom];
  const channel = view.channel;
  const summary = useLoad(channel ? `${channel}/${from}/${to}/${resolution}/${version}` : null, () =>
    api.summary({ channel: channel!, from, to, resolution }),
  );
  // Moderation lookups start once the list has its first page: on a busy hour they would compete with it.
  const [listed, setListed] = useState<[number, number] | null>(null);
  const onListed = useCallback(
    (span: [number, number]) => setListed((old) => (old && old[0] === span[0] && old[1] === span[1] ? old : span)),
    [],
  );
  const listedSel = view.sel && listed && listed[0] === view.sel[0] && listed[1] === view.sel[1] ? view.sel : null;
  const moderation = useModeration(channel, listedSel, version);

  /** The archive changed: reload the channel list and everything keyed on `version`. */
  const refresh = useCallback(() => {
    channels.reload();
    setVersion((v) => v + 1);
  }, [channels.reload]);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      refresh();
    }, REFRESH_MS);
  }, [refresh]);
  useEffect(() => () => clearTimeout(refreshTimer.current ?? undefined), []);

  useApiEvent((e) => {
    if (e.type === 'recording') setRecording(e.status);
    else if (e.type === 'merge') setMerge(e.status);
    else if (e.type === 'index') setIndexing(e.status);
    else if (e.type === 'sync') setSync(e.status);
    else if (e.type === 'archiveChanged') scheduleRefresh();
  });

  const onSelectRow = useCallback((row: RecordRow) => {
    setSelected(row.key);
    setDetailsOpen(true);
  }, []);
  const onOpen = useCallback(() => setDetailsOpen(true), []);
  const onJump = useCallback((key: string, time: number) => {
    setSelected(key);
    setDetailsOpen(true);
    const minute = floorTo(time, MINUTE);
    setView((v) => (v.sel && time >= v.sel[0] && time < v.sel[1] ? v : select(v, minute, minute + MINUTE)));
    setJump((j) => ({ key, time, seq: (j?.seq ?? 0) + 1 }));
  }, []);

  // Keyboard: arrows move by minutes, page keys by hours, `/` finds, Escape closes details.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || document.querySelector('dialog[open]')) return;
      if (e.key === 'Escape' && detailsOpen) return setDetailsOpen(false);
      if (isTyping(e.target)) return;
      const actions: Record<string, () => void> = {
        '/': () => document.getElementById(TEXT_FILTER_ID)?.focus(),
        ArrowLeft: () => setView((v) => stepMinute(v, -1)),
        ArrowRight: () => setView((v) => stepMinute(v, 1)),
        PageUp: () => setView((v) => stepHour(v, -1)),
        PageDown: () => setView((v) => stepHour(v, 1)),
        Enter: () => selected && setDetailsOpen(true),
      };
      const action = view.channel ? actions[e.key] : undefined;
      if (action) {
        e.preventDefault();
        action();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [detailsOpen, selected, view.channel]);

  const main = (() => {
    if (!list && channels.state === 'error')
      return <ErrorBox error={channels.error} what="The archive could not be opened." onRetry={channels.reload} />;
    if (!list) return <Loading label="Opening the archive…" />;
    if (list.length === 0)
      return (
        <EmptyArchive
          onRecord={() => setDialog('record')}
          onCreated={(c) => {
            setOpenWhenListed(c);
            channels.reload();
          }}
        />
      );
    if (!channel) return <Loading label="Opening the channel…" />;
    return (
      <>
        <Timeline
          view={view}
          summary={summary}
          merge={merge}
          arriving={arrivingHours(sync, channel)}
          onSelect={(a, b) => setView((v) => select(v, a, b))}
          onZoomDay={(day) => setView((v) => setZoom({ ...v, anchor: day, sel: null }, 'day'))}
        />
        <div className={detailsOpen && selected ? 'lower with-details' : 'lower'}>
          <MessagePane
            channel={channel}
            span={view.sel}
            filters={filters}
            onFilters={setFilters}
            version={version}
            selectedKey={selected}
            onSelect={onSelectRow}
            onOpen={onOpen}
            onJump={onJump}
            jump={jump}
            moderation={moderation}
            onListed={onListed}
          />
          {detailsOpen && selected && (
            <DetailsPanel
              channel={channel}
              recordKey={selected}
              moderation={moderation}
              onClose={() => setDetailsOpen(false)}
              onJump={onJump}
            />
          )}
        </div>
      </>
    );
  })();

  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">Chat Archiver</div>
        {list && list.length > 0 && (
          <ChannelList
            channels={list}
            selected={channel}
            onSelect={(c: ChannelInfo) => {
              setSelected(null);
              setView(openChannel(c.channel, c.last, Date.now() / 1000));
            }}
          />
        )}
        <RecordingSidebar status={recording} onOpen={() => setDialog('record')} />
        <SyncSidebar status={sync} onOpen={() => setDialog('sync')} />
        <section className="service-status" aria-label="Archive status">
          {indexing?.scanning && (
            <p className="small" role="status">
              Indexing: {count(indexing.filesScanned)} of {count(indexing.filesTotal)} files
            </p>
          )}
          {merge && (merge.running || merge.pendingHours > 0) && (
            <p className="small" role="status">
              {merge.running
                ? 'Merging…'
                : `${count(merge.pendingHours)} hour${merge.pendingHours === 1 ? '' : 's'} waiting to merge`}
            </p>
          )}
          {indexing?.error && <p className="small error-text">Index problem: {indexing.error}</p>}
          {merge?.lastError && <p className="small error-text">Merge problem: {merge.lastError}</p>}
        </section>
      </aside>
      <main className="main">
        <Toolbar
          view={view}
          onStep={(d) => setView((v) => stepSpan(v, d))}
          onDate={(day) => setView((v) => goToDay(v, day))}
          onZoom={(z) => setView((v) => setZoom(v, z))}
          onImport={() => setDialog('import')}
          onRecord={() => setDialog('record')}
          onSync={sync ? () => setDialog('sync') : undefined}
          onSettings={() => setDialog('settings')}
        />
        {main}
      </main>
      {dialog === 'import' && <ImportDialog onClose={() => setDialog(null)} onFinished={refresh} />}
      {dialog === 'record' && (
        <RecordingDialog status={recording} onStatus={setRecording} onClose={() => setDialog(null)} />
      )}
      {dialog === 'sync' && <SyncDialog status={sync} onStatus={setSync} onClose={() => setDialog(null)} />}
      {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(null)} onSaved={refresh} />}
    </div>
  );
}
