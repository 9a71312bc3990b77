/**
 * Emotes and badges drawn from the archive's images (issue 11 item 5): a message's text as
 * pieces (emotes.ts) with an image for each emote, a badge image where the badge sets were
 * stored, and the text code wherever an image is missing. A toggle shows text codes instead,
 * remembered in this browser.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { TagValue, ViewerImageSets } from '../../app/service/contract.js';
import { api } from '../api.js';
import { textPieces, type Piece, type Theme } from './emotes.js';

/** How emotes are shown: images from these sets (null while they load: text), or text codes when the view is null. */
export interface EmoteView {
  sets: ViewerImageSets | null;
  theme: Theme;
}

/** Images that failed once are not asked for again while the page lives (rows remount as they scroll). */
const broken = new Set<string>();

function EmoteImage({ piece }: { piece: Extract<Piece, { kind: 'emote' }> }) {
  const [failed, setFailed] = useState(broken.has(piece.src));
  if (failed) return <span className="emote-code">{piece.code}</span>;
  return (
    <img
      className="emote"
      src={piece.src}
      srcSet={piece.src2x ? `${piece.src} 1x, ${piece.src2x} 2x` : undefined}
      alt={piece.code}
      title={piece.title}
      loading="lazy"
      onError={() => {
        broken.add(piece.src);
        setFailed(true);
      }}
    />
  );
}

export function EmoteText({ text, tag, view }: { text: string; tag: TagValue | undefined; view: EmoteView }) {
  return (
    <>
      {textPieces(text, tag, view.sets, view.theme).map((p, i) =>
        p.kind === 'text' ? p.text : <EmoteImage key={i} piece={p} />,
      )}
    </>
  );
}

export function Badge({ label, image }: { label: string; image: ViewerImageSets['badges'][string] | undefined }) {
  const [failed, setFailed] = useState(image ? broken.has(image.src) : true);
  if (!image || failed)
    return (
      <span className="badge" title={image?.title}>
        {label}
      </span>
    );
  return (
    <img
      className="badge-image"
      src={image.src}
      srcSet={image.src2x ? `${image.src} 1x, ${image.src2x} 2x` : undefined}
      alt={label}
      title={`${image.title} (${label})`}
      loading="lazy"
      onError={() => {
        broken.add(image.src);
        setFailed(true);
      }}
    />
  );
}

const STORAGE_KEY = 'chat-archiver.emote-images';
const listeners = new Set<() => void>();
let showImages = (() => {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'text';
  } catch {
    return true;
  }
})();

/** Images (the default) or text codes; the choice outlives the page. */
export function useShowEmoteImages(): [boolean, (show: boolean) => void] {
  const show = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    () => showImages,
  );
  const set = (next: boolean) => {
    showImages = next;
    try {
      localStorage.setItem(STORAGE_KEY, next ? 'images' : 'text');
    } catch {
      // storage refused: the choice lasts for this page only
    }
    for (const l of listeners) l();
  };
  return [show, set];
}

/** The third-party sets and badges of `channel` in effect at `at` (null until known, or when none can be had). */
export function useImageSets(channel: string, at: number | undefined, enabled: boolean): ViewerImageSets | null {
  const [sets, setSets] = useState<ViewerImageSets | null>(null);
  // Sets change rarely: asking once per hour of chat is plenty.
  const hour = at === undefined ? undefined : Math.floor(at / 3600) * 3600;
  useEffect(() => {
    if (!enabled || hour === undefined) return;
    let live = true;
    void api.imageSets({ channel, at: hour }).then((r) => {
      if (live) setSets(r.ok ? r.value : null);
    });
    return () => {
      live = false;
    };
  }, [channel, hour, enabled]);
  return enabled ? sets : null;
}
