// Where sync stands on the open book, for every screen (the header's status line, the Sync
// settings, the actions only the server may run). Only the desktop window asks: in a browser
// `sync.view` stays null and nothing about sync shows.

import { insideTauri } from './api';
import { isProvisional, syncCommands, type SyncCommands, type SyncView } from './sync';

export const sync = $state({
  view: null as SyncView | null,
  /** The time the words are written for ("2 min ago"), moved on every 15 s. */
  now: Date.now(),
});

/** How often the status is asked again besides the events (a missed event, a sleeping laptop). */
const POLL_MS = 10_000;
const TICK_MS = 15_000;

let commands: SyncCommands | null = null;
let started = false;

/** Starts following the desktop's sync status (once; nothing in a browser). */
export function followSync(): void {
  if (started || !insideTauri()) return;
  started = true;
  commands = syncCommands();
  void commands.follow(showSync).catch(() => {});
  void refreshSync();
  setInterval(() => void refreshSync(), POLL_MS);
  setInterval(() => {
    sync.now = Date.now();
  }, TICK_MS);
}

/** Shows a status the desktop answered (a command's answer or an event). */
export function showSync(view: SyncView): void {
  sync.view = view;
  sync.now = Date.now();
}

/** Asks the desktop again; a failure leaves what was shown. */
export async function refreshSync(): Promise<void> {
  if (!commands) return;
  try {
    showSync(await commands.status());
  } catch {
    // No book (the welcome screen) or the window is closing: nothing to show.
  }
}

/**
 * Where a record made on this desktop is now: the server's id once a sync has put the server's
 * row in its place, or null (not a provisional id, not synced yet, or in a browser). A screen
 * left open on such a record goes there instead of saying it is not found.
 */
export async function movedTo(id: string): Promise<string | null> {
  if (!isProvisional(id) || !insideTauri()) return null;
  try {
    return await (commands ?? syncCommands()).serverId(id);
  } catch {
    return null;
  }
}

/** When the last sync completed (null before any, or in a browser): screens showing a record
 *  made here look again when it moves. */
export function lastSynced(): string | null {
  return sync.view?.last_synced_at ?? null;
}
