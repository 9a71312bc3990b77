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
}
