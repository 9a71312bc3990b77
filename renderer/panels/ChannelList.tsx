/** Sidebar: every archived channel with its record count. */
import type { ChannelInfo } from '../../app/service/contract.js';
import { compact, count, isoDate } from '../format.js';

export function ChannelList({
  channels,
  selected,
  onSelect,
}: {
  channels: ChannelInfo[];
  selected: string | null;
  onSelect: (c: ChannelInfo) => void;
}) {
  return (
    <nav className="channel-list" aria-label="Channels">
      <h2 className="sidebar-title">Channels</h2>
      <ul>
        {channels.map((c) => (
          <li key={c.channel}>
            <button
              type="button"
              aria-current={c.channel === selected ? 'page' : undefined}
              aria-label={`${c.channel} ${compact(c.records)} records${c.records >= 1000 ? ` (${count(c.records)})` : ''}${c.last !== null ? `, last ${isoDate(c.last)}` : ''}`}
              title={c.first !== null && c.last !== null ? `${isoDate(c.first)} – ${isoDate(c.last)}` : 'empty'}
              onClick={() => onSelect(c)}
            >
              <span className="channel-name">{c.channel}</span>{' '}
              <span className="channel-count">{compact(c.records)}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
