/**
 * The viewer: channels and recording on the left; on the right the timeline of the
 * visible span, the messages of the selected span and the selected record's details.
 * State lives here and in the URL: every view has a link (`#/c/<channel>/…`, see
 * view-state.ts) that survives a reload, and every jump (a gap, a moderation target, a
 * channel, a zoom) is a history entry, so Back and Forward move inside the app. Small
 * steps (arrow keys, selecting a row) replace the current entry instead.
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
import { usePrefs } from './prefs.js';
import { nextGap, nextRecording } from './timeline/coverage-lanes.js';
import { useApiEvent, useLoad } from './hooks.js';
import { NO_FILTER, TEXT_FILTER_ID, isFiltered, type FilterState } from './messages/Filters.js';
import { MessagePane, type JumpRequest, type RecordRef } from './messages/MessagePane.js';
import { useModeration } from './messages/use-moderation.js';
import { ChannelList } from './panels/ChannelList.js';
import { DetailsPanel } from './panels/DetailsPanel.js';
import { EmptyArchive } from './panels/EmptyArchive.js';
import { ImportDialog } from './panels/ImportDialog.js';
import { RecordingDialog, RecordingSidebar } from './panels/Recording.js';
import { SettingsDialog } from './panels/SettingsDialog.js';
import { Timeline } from './timeline/Timeline.js';
import { ReadingOptions, Toolbar } from './timeline/Toolbar.js';
import { SyncDialog, SyncSidebar } from './sync/SyncPanel.js';
import { arrivingHours } from './sync/words.js';
import { ErrorBox, Loading } from './ui/states.js';
import {
  fromHash,
  goToDay,
  openChannel,
  select,
  setZoom,
  showSpan,
  stepHour,
  stepMinute,
  stepSpan,
  toHash,
  visible,
  zoomResolution,
  type View,
} from './view-state.js';

type DialogName = 'import' | 'record' | 'settings' | 'sync' | null;

const NO_VIEW: View = { channel: null, zoom: 'day', anchor: 0, sel: null, focus: null };
/** The whole archive, for the coverage query: a channel's gaps are few, one answer serves every zoom. */
const ALL_TIME = 253402300799;

const refOf = (f: { ref: string }): RecordRef =>
  f.ref.startsWith('id:') ? { id: f.ref.slice(3) } : { key: f.ref.slice(4) };
/** Archive change events come in bursts while recording and merging; refresh at most this often. */
const REFRESH_MS = 1000;

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');

export function App() {
  const channels = useLoad('channels', () => api.listChannels({}));
  const [view, setViewState] = useState<View>(() => fromHash(location.hash) ?? NO_VIEW);
  /** The next view change makes a history entry (a jump); otherwise it replaces the current one. */
  const pushNext = useRef(false);
  const setView = useCallback((update: View | ((v: View) => View)) => setViewState(update), []);
  const jumpTo = useCallback((update: View | ((v: View) => View)) => {
    pushNext.current = true;
    setViewState(update);
  }, []);
  const [prefs, setPrefs] = usePrefs();
  const [selected, setSelected] = useState<string | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [dialog, setDialog] = useState<DialogName>(null);
  const [recording, setRecording] = useState<ChannelRecording[]>([]);
  const [merge, setMerge] = useState<MergeStatus | null>(null);
  const [indexing, setIndexing] = useState<IndexStatus | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [version, setVersion] = useState(0);
  // A link to a channel alone (`#/c/nymn`) opens it as a click on it would: at the zoom that fits its data.
  const [openWhenListed, setOpenWhenListed] = useState<string | null>(() =>
    view.channel && !view.sel && !view.focus ? view.channel : null,
  );

  // Initial statuses; events keep them current afterwards.
  useEffect(() => {
    void api.recordingStatus({}).then((r) => r.ok && setRecording(r.value));
    void api.mergeStatus({}).then((r) => r.ok && setMerge(r.value));
    void api.indexStatus({}).then((r) => r.ok && setIndexing(r.value));
    // Where sync is not available (a test server without it) the panel stays hidden.
    void api.syncStatus({}).then((r) => r.ok && setSync(r.value));
  }, []);

  const list = channels.value;
  const open = (c: ChannelInfo) => openChannel(c.channel, c.first, c.last, Date.now() / 1000);
  // Open a channel when none (or an unknown one) is shown.
  useEffect(() => {
    if (!list || list.length === 0) return;
    const wanted = list.find((c) => c.channel === openWhenListed);
    if (wanted) {
      setOpenWhenListed(null);
      setView(open(wanted));
      return;
    }
    if (!view.channel || !list.some((c) => c.channel === view.channel)) setView(open(list[0]!));
  }, [list, openWhenListed, view.channel]);

  useEffect(() => {
    const hash = toHash(view);
    const push = pushNext.current;
    pushNext.current = false;
    if (!hash || hash === location.hash) return;
    if (push) history.pushState(null, '', hash);
    else history.replaceState(null, '', hash);
  }, [view]);

  // A record named by the link (reload, Back/Forward, a pasted link): find it and select it.
  const [jump, setJump] = useState<JumpRequest | null>(null);
  const requestFocus = useCallback((v: View | null) => {
    if (!v?.focus) return;
    const f = v.focus;
    const ref = refOf(f);
    // A record named by its key opens at once, whatever the list's filters show; an id is looked up in the list.
    if (ref.key) {
      setSelected(ref.key);
      setDetailsOpen(true);
    }
    setJump((j) => ({ ref, time: f.time, seq: (j?.seq ?? 0) + 1, select: !ref.key }));
  }, []);
  useEffect(() => requestFocus(view), []);
  useEffect(() => {
    const onNav = () => {
      const v = fromHash(location.hash);
      if (!v) return;
      setViewState(v);
      if (v.focus) requestFocus(v);
      else setDetailsOpen(false);
    };
    window.addEventListener('popstate', onNav);
    window.addEventListener('hashchange', onNav);
    return () => {
      window.removeEventListener('popstate', onNav);
      window.removeEventListener('hashchange', onNav);
    };
  }, [requestFocus]);

  const [from, to] = visible(view);
  const resolution = zoomResolution[view.zoom];
  const channel = view.channel;
  const summary = useLoad(channel ? `${channel}/${from}/${to}/${resolution}/${version}` : null, () =>
    api.summary({ channel: channel!, from, to, resolution }),
  );
  const coverage = useLoad(channel ? `${channel}/${version}` : null, () =>
    api.coverage({ channel: channel!, from: 0, to: ALL_TIME }),
  );
  const cov = coverage.value?.channel === channel ? coverage.value : null;
  /** Where a gap or recording jump landed, so the next one steps from there rather than from the padded selection. */
  const lastStep = useRef<{ sel: [number, number]; at: number } | null>(null);
  const showGap = useCallback(
    (a: number, b: number) => {
      const next = showSpan(view, a, b);
      lastStep.current = { sel: next.sel!, at: a };
      setSelected(null);
      setDetailsOpen(false);
      jumpTo(next);
    },
    [view, jumpTo],
  );
  const onStepCoverage = useCallback(
    (what: 'gap' | 'recording', dir: -1 | 1) => {
      if (!cov) return;
      const sel = view.sel ?? [view.anchor, view.anchor];
      const same = lastStep.current && lastStep.current.sel[0] === sel[0] && lastStep.current.sel[1] === sel[1];
      const t = same ? lastStep.current!.at : sel[0];
      if (what === 'gap') {
        const g = nextGap(cov, t, dir);
        if (g) showGap(g.from, g.to);
      } else {
        const r = nextRecording(cov, t, dir);
        if (r !== null) showGap(r, r);
      }
    },
    [cov, view, showGap],
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
    else if (e.type === 'merge') {
      setMerge(e.status);
      // A finished merge changed what waits to be merged, even when it wrote nothing new.
      if (!e.status.running) scheduleRefresh();
    } else if (e.type === 'index') setIndexing(e.status);
    else if (e.type === 'sync') setSync(e.status);
    else if (e.type === 'archiveChanged') scheduleRefresh();
  });

  const focusOf = (row: RecordRow) => {
    const id = row.record.tags?.id;
    return { time: row.record.time, ref: typeof id === 'string' && id ? `id:${id}` : `key:${row.key}` };
  };
  const onSelectRow = useCallback(
    (row: RecordRow) => {
      setSelected(row.key);
      setDetailsOpen(true);
      if (!view.all) return setView((v) => ({ ...v, focus: focusOf(row) }));
      // A hit of a whole-channel search: a jump to its minute, unfiltered, so Back returns to the search.
      const minute = floorTo(row.record.time, MINUTE);
      jumpTo((v) => ({ ...select(v, minute, minute + MINUTE), focus: focusOf(row), filter: undefined, all: false }));
      setJump((j) => ({ ref: { key: row.key }, time: row.record.time, seq: (j?.seq ?? 0) + 1, select: false }));
    },
    [view.all],
  );
  const filters: FilterState = view.filter ?? NO_FILTER;
  const setFilters = useCallback(
    (f: FilterState) => setView((v) => (isFiltered(f) ? { ...v, filter: f } : { ...v, filter: undefined, all: false })),
    [],
  );
  const setAll = useCallback((all: boolean) => jumpTo((v) => ({ ...v, all })), []);
  const info = list?.find((c) => c.channel === channel);
  const listSpan: [number, number] | null =
    view.all && info?.first != null && info.last != null ? [info.first, info.last + MINUTE] : view.sel;
  const onLocated = useCallback((row: RecordRow) => {
    setSelected(row.key);
    setDetailsOpen(true);
  }, []);
  const onOpen = useCallback(() => setDetailsOpen(true), []);
  const onJump = useCallback((key: string, time: number) => {
    setSelected(key);
    setDetailsOpen(true);
    const minute = floorTo(time, MINUTE);
    jumpTo((v) => ({
      ...(v.sel && time >= v.sel[0] && time < v.sel[1] ? v : select(v, minute, minute + MINUTE)),
      focus: { time, ref: `key:${key}` },
    }));
    setJump((j) => ({ ref: { key }, time, seq: (j?.seq ?? 0) + 1, select: false }));
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
          coverage={cov}
          merge={merge}
          arriving={arrivingHours(sync, channel)}
          onSelect={(a, b) => jumpTo((v) => select(v, a, b))}
          onZoomDay={(day) => jumpTo((v) => setZoom({ ...v, anchor: day, sel: null, focus: null }, 'day'))}
          onShow={showGap}
          onStep={onStepCoverage}
        />
        <div className={detailsOpen && selected ? 'lower with-details' : 'lower'}>
          <MessagePane
            channel={channel}
            span={listSpan}
            filters={filters}
            onFilters={setFilters}
            all={!!view.all}
            onAll={setAll}
            version={version}
            selectedKey={selected}
            onSelect={onSelectRow}
            onOpen={onOpen}
            onJump={onJump}
            jump={jump}
            onLocated={onLocated}
            moderation={moderation}
            onListed={onListed}
            timeFormat={prefs.time}
            compact={prefs.compact}
            reading={<ReadingOptions view={view} prefs={prefs} onPrefs={setPrefs} />}
            keepInView={selected && view.focus ? { key: selected, time: view.focus.time } : null}
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
              setDetailsOpen(false);
              jumpTo(open(c));
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
          onStep={(d) => jumpTo((v) => stepSpan(v, d))}
          onDate={(day) => jumpTo((v) => goToDay(v, day))}
          onZoom={(z) => jumpTo((v) => setZoom(v, z))}
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
