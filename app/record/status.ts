/** What the recorder says about itself: one entry per channel, one per connection (the API passes them on as they are). */

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'error';

export interface ConnectionStatus {
  receiverId: string;
  state: ConnectionState;
  linesPerMinute: number;
  lastLineAt: number | null;
}

export interface ChannelRecording {
  channel: string;
  recording: boolean;
  connections: ConnectionStatus[];
  filesWritten: number;
  /** Plain words, for the UI. */
  lastError: string | null;
  /** Grows with every line received: `recordingTail` has something new when it changed. */
  tailVersion: number;
  /** When the next connection attempt is made (local Unix seconds); null when none is waiting. */
  retryAt: number | null;
  /** The latest history fill: the window asked for (`from` null: the service's whole backlog) and the lines it gave. */
  lastFill: { receiverId: string; from: number | null; to: number; lines: number } | null;
}
