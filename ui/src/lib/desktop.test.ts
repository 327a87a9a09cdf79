import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { bookCommands, bookFileName, startingChoice, type BookChoice } from './desktop';

const DEMO: BookChoice = { path: '/home/ana/.local/share/app.counterfoil.desktop/demo.book', problem: null };

describe('the choice of book in the desktop window', () => {
  it.each([
    ['current', 'book_choice'],
    ['openDemo', 'open_demo_book'],
    ['createEmpty', 'create_book'],
    ['openFile', 'open_book'],
    ['createFile', 'new_book'],
  ] as const)('%s calls the desktop command %s and resolves with its answer', async (method, command) => {
    const invoke = vi.fn(async () => DEMO);
    const answer = await bookCommands(invoke)[method]();
    expect(invoke).toHaveBeenCalledWith(command);
    expect(answer).toEqual(DEMO);
  });

  it('a cancelled file dialog resolves with null, not a book', async () => {
    const commands = bookCommands(async () => null);
    expect(await commands.openFile()).toBeNull();
    expect(await commands.createFile()).toBeNull();
  });

  it('a refusal arrives as an ApiError with the shell’s sentence', async () => {
    const commands = bookCommands(async () => {
      throw { code: 'invalid_state', message: '/tmp/notes.txt is not a Counterfoil book (it was left untouched)' };
    });
    const error = await commands.openFile().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_state');
    expect((error as ApiError).message).toContain('is not a Counterfoil book');
  });

  it('the welcome screen shows when the shell has no book; a browser never asks', async () => {
    const none = bookCommands(async () => ({ path: null, problem: 'The book you used last is no longer there.' }));
    expect(await startingChoice(none)).toEqual({ path: null, problem: 'The book you used last is no longer there.' });
    expect(await startingChoice(null)).toBeNull();
  });

  it.each([
    ['/home/ana/.local/share/app.counterfoil.desktop/demo.book', 'demo.book'],
    ['C:\\Users\\ana\\AppData\\Roaming\\acme.book', 'acme.book'],
    ['acme.book', 'acme.book'],
  ])('names %s by its file name %s', (path, name) => {
    expect(bookFileName(path)).toBe(name);
  });
});
