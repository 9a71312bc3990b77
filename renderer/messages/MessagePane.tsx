/**
 * The messages of the selected span: header with count and filters, then a virtualized
 * list. Only the rows on screen (plus a small overscan) exist in the DOM, and only
 * their pages are fetched.
 */
import { useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { RecordRow } from '../../app/service/contract.js';
import { api } from '../api.js';
import { count, spanLabel, type TimeFormat } from '../format.js';
import { useColorScheme, useDebounced } from '../hooks.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Filters, isFiltered, toQueryFilter, type FilterState } from './Filters.js';
import { MessageRow, type RowActions } from './MessageRow.js';
import { PagedRecords } from './paged-records.js';
import { useImageSets, useShowEmoteImages, type EmoteView } from './EmoteText.js';
import type { Moderation } from './use-moderation.js';

/** A record by its key (valid until its file is merged away) or its message id (for good). */
export interface RecordRef {
  key?: string;
  id?: string;
}

export interface JumpRequest {
  ref: RecordRef;
  time: number;
  seq: number;
  /** Select it once found (a link opened), not only scroll to it. */
  select: boolean;
}

interface Props {
  channel: string;
  span: [number, number] | null;
  filters: FilterState;
  onFilters: (f: FilterState) => void;
  /** The filters search the whole channel (`span` is then all of it). */
  all: boolean;
  onAll: (all: boolean) => void;
  /** Bumped when the span's files changed (recording, import, merge). */
  version: number;
  selectedKey: string | null;
  onSelect: (row: RecordRow) => void;
  onOpen: () => void;
  onJump: (key: string, time: number) => void;
  jump: JumpRequest | null;
  /** A jump with `select` found its record. */
  onLocated: (row: RecordRow) => void;
  /** The selected record: scrolled back into view when filters change the list. */
  keepInView: { key: string; time: number } | null;
  moderation: Moderation;
  timeFormat: TimeFormat;
  /** One line per message. */
  compact: boolean;
  /** How times read and how dense the list is (shown in the header). */
  reading: ReactNode;
  /** The first page of a span arrived (moderation lookups wait for it, so they never delay the first rows). */
  onListed: (span: [number, number]) => void;
}

const ESTIMATED_ROW = 46;
const COMPACT_ROW = 24;

export function MessagePane(props: Props) {
  const {
    channel,
    span,
    filters,
    onFilters,
    all,
    onAll,
    version,
    selectedKey,
    onSelect,
    onOpen,
    onJump,
    jump,
    onLocated,
    keepInView,
    moderation,
    onListed,
    timeFormat,
    compact,
    reading,
  } = props;
  const scheme = useColorScheme();
  const [showImages, setShowImages] = useShowEmoteImages();
  const sets = useImageSets(channel, span?.[0], showImages);
  const emotes: EmoteView | null = useMemo(
    () => (showImages ? { sets, theme: scheme } : null),
    [showImages, sets, scheme],
  );
  const debounced = useDebounced(filters, 250);
  const filterKey = JSON.stringify(toQueryFilter(debounced) ?? null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  // One fetcher per span and filter; created in an effect so a discarded render cannot leak one.
  const [paged, setPaged] = useState<PagedRecords | null>(null);
  const from = span?.[0];
  const to = span?.[1];
  useEffect(() => {
    if (from === undefined || to === undefined) return setPaged(null);
    const filter = JSON.parse(filterKey) as ReturnType<typeof toQueryFilter> | null;
    const p = new PagedRecords(api, { channel, from, to, ...(filter && { filter }) }, rerender);
    setPaged(p);
    return () => p.dispose();
  }, [channel, from, to, filterKey]);
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    paged?.refresh();
  }, [version, paged]);

  const listed = paged !== null && paged.total !== null;
  useEffect(() => {
    if (listed && paged) onListed([paged.query.from, paged.query.to]);
  }, [listed, paged, onListed]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const total = paged?.total ?? 0;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (compact ? COMPACT_ROW : ESTIMATED_ROW),
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    paged?.ensure(first, last);
  }, [paged, first, last]);

  const [active, setActive] = useState<number | null>(null);
  /** A located jump target, scrolled to once the list is long enough to hold it. */
  const [scrollTarget, setScrollTarget] = useState<number | null>(null);
  useEffect(() => {
    setActive(null);
    setScrollTarget(null);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [paged]);

  // Jumps (moderation links, details panel) scroll to the record once it is located, once.
  const handledJump = useRef(0);
  useEffect(() => {
    if (!jump || !paged || handledJump.current === jump.seq) return;
    let live = true;
    void paged.locate(jump.ref, jump.time).then((i) => {
      if (!live || i === null) return;
      handledJump.current = jump.seq;
      setActive(i);
      setScrollTarget(i);
      const row = paged.rowAt(i);
      if (jump.select && row) onLocated(row);
    });
    return () => {
      live = false;
    };
    // Runs per jump (seq) and when a new span's list exists.
  }, [jump?.seq, paged]);

  // Filters changed the list: the selected record, if it is still listed, stays in view and active.
  const keep = useRef(keepInView);
  keep.current = keepInView;
  useEffect(() => {
    const k = keep.current;
    if (!paged || !k) return;
    let live = true;
    void paged.locate({ key: k.key }, k.time).then((i) => {
      if (!live || i === null) return;
      setActive(i);
      setScrollTarget(i);
    });
    return () => {
      live = false;
    };
  }, [paged]);

  // The list's length may arrive after the target was located (a slow first page): wait for it.
  useEffect(() => {
    if (scrollTarget === null || scrollTarget >= total) return;
    virtualizer.scrollToIndex(scrollTarget, { align: 'center' });
    setScrollTarget(null);
    // The virtualizer is read, not watched.
  }, [scrollTarget, total]);

  const actions: RowActions = useMemo(
    () => ({
      onSelect: (row, index) => {
        setActive(index);
        onSelect(row);
      },
      onJump,
    }),
    [onSelect, onJump],
  );

  function move(to: number) {
    if (total === 0) return;
    const i = Math.max(0, Math.min(total - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    const row = paged?.rowAt(i);
    if (row) onSelect(row);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ESTIMATED_ROW) - 1);
    const at = active ?? -1;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      ArrowUp: () => move(at - 1),
      Home: () => move(0),
      End: () => move(total - 1),
      Enter: () => {
        const row = active !== null ? paged?.rowAt(active) : undefined;
        if (row) {
          onSelect(row);
          onOpen();
        }
      },
    };
    // Page keys change the hour (global); with Shift they page through the list.
    if (e.shiftKey) {
      keys.PageDown = () => move(at + page);
      keys.PageUp = () => move(at - page);
    }
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      e.stopPropagation();
      action();
    }
  }

  const loadingFirst = paged !== null && paged.total === null && !paged.error;
  const filtered = isFiltered(debounced);

  return (
    <section className={compact ? 'messages compact' : 'messages'} aria-label="Messages">
      <header className="messages-head">
        <div className="messages-title">
          {all ? <h2>Whole channel</h2> : span ? <h2>{spanLabel(span[0], span[1])}</h2> : <h2>No span selected</h2>}
          {paged?.total != null && (
            <span className="muted" role="status" aria-live="polite">
              {count(paged.total)} {filtered ? 'matching ' : ''}record{paged.total === 1 ? '' : 's'}
            </span>
          )}
        </div>
        <div className="messages-tools">
          {reading}
          <Filters value={filters} onChange={onFilters} all={all} onAll={onAll} />
          <label className="emote-toggle" title="Draw emotes and badges from the archive's images, or show their text">
            <input type="checkbox" checked={showImages} onChange={(e) => setShowImages(e.target.checked)} />
            Emote images
          </label>
        </div>
      </header>
      {!span && (
        <Empty title="Select a span">Click a minute in the activity chart, drag across several, or pick an hour.</Empty>
      )}
      {paged?.error && paged.total === null && (
        <ErrorBox error={paged.error} what="The messages could not be loaded." onRetry={() => paged.refresh()} />
      )}
      {loadingFirst && <Loading label="Loading messages…" />}
      {paged && paged.total === 0 && (
        <Empty title={filtered ? 'No record matches these filters' : 'Nothing recorded in this span'}>
          {filtered
            ? 'Change or clear the filters.'
            : 'Pick another span in the chart, or check the coverage lanes: maybe nobody recorded then.'}
        </Empty>
      )}
      <div
        ref={scrollRef}
        className="message-scroll"
        tabIndex={0}
        role="listbox"
        aria-label="Messages of the selected span"
        aria-activedescendant={active !== null && paged?.rowAt(active) ? `msg-${active}` : undefined}
        onKeyDown={onKeyDown}
        hidden={!paged || paged.total === 0}
      >
        <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = paged?.rowAt(item.index);
            return (
              <div
                key={item.key}
                id={`msg-${item.index}`}
                role="option"
                aria-selected={row ? row.key === selectedKey : false}
                className={item.index === active ? 'row row-active' : 'row'}
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {row ? (
                  <MessageRow
                    row={row}
                    index={item.index}
                    selected={row.key === selectedKey}
                    moderation={moderation}
                    scheme={scheme}
                    actions={actions}
                    timeFormat={timeFormat}
                    emotes={emotes}
                  />
                ) : (
                  <div className="msg msg-placeholder" aria-label="loading">
                    …
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
