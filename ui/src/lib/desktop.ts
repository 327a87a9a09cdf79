// What only the desktop shell does beyond `call`: choosing the book. The desktop app starts with
// the book chosen last time; with none, the UI shows its welcome screen (the demo book, an empty
// book, or a file). The Rust side picks every path (the UI never names a file), remembers the
// choice for the next start, and reloads the page when File → Open book… / New book… changes
// the book. In a browser none of this exists: the server's book is the book.

import { invoke } from '@tauri-apps/api/core';
import { ApiError, insideTauri } from './api';

/** Which book the desktop app has open (`path` null: none yet, show the welcome screen). */
export interface BookChoice {
  path: string | null;
  /** The remembered book could not be opened, or the choice could not be remembered. */
  problem: string | null;
}

/** The desktop's commands for the choice of book, as `src-tauri/lib.rs` declares them. */
export interface BookCommands {
  /** Which book is open. */
  current(): Promise<BookChoice>;
  /** Builds the demo book on first use (as `counterfoil demo` does) and opens it. */
  openDemo(): Promise<BookChoice>;
  /** Starts an empty book in the app's data folder. */
  createEmpty(): Promise<BookChoice>;
  /** The system's open dialog; null when the user cancelled. */
  openFile(): Promise<BookChoice | null>;
  /** The system's save dialog for a new book; null when the user cancelled. */
  createFile(): Promise<BookChoice | null>;
}

type Invoke = (command: string) => Promise<unknown>;

/** The commands over `invoke` (Tauri's IPC; replaced in tests). Rejections become ApiErrors. */
export function bookCommands(invokeImpl: Invoke = (command) => invoke(command)): BookCommands {
  async function command<T>(name: string): Promise<T> {
    try {
      return (await invokeImpl(name)) as T;
    } catch (error) {
      throw ApiError.from(error);
    }
  }
  return {
    current: () => command<BookChoice>('book_choice'),
    openDemo: () => command<BookChoice>('open_demo_book'),
    createEmpty: () => command<BookChoice>('create_book'),
    openFile: () => command<BookChoice | null>('open_book'),
    createFile: () => command<BookChoice | null>('new_book'),
  };
}

/**
 * What the UI shows at start: in the desktop window, the welcome screen until a book is open;
 * in a browser always the book (the server has one).
 */
export async function startingChoice(
  commands: BookCommands | null = insideTauri() ? bookCommands() : null,
): Promise<BookChoice | null> {
  if (commands === null) return null;
  return commands.current();
}

/** The file name of a book path, for short mentions ("demo.book"). */
export function bookFileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
