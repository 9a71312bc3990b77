/** IPC channel names, derived from the contract; shared by main and preload. */
import type { MethodName } from '../app/service/contract.js';

export const invokeChannel = (method: MethodName) => `archive:${method}`;
/** Main → renderer: every ApiEvent. */
export const EVENT_CHANNEL = 'archive:event';
