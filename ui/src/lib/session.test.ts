import { describe, expect, it, vi } from 'vitest';
import { signedInUser, signOut } from './session';

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

describe('signing out of a served Counterfoil', () => {
  it('knows who is signed in from GET /session', async () => {
    const fetch = answer(200, { username: 'ana', scopes: ['finance'], permission: 'rw' });
    expect(await signedInUser(fetch)).toBe('ana');
    expect(fetch).toHaveBeenCalledWith('/session', expect.anything());
  });

  it.each([
    ['nobody is signed in (401)', answer(401, { code: 'unauthorized', message: 'Nobody is signed in.' })],
    ['a server nobody needs to sign in to (204)', vi.fn(async () => new Response(null, { status: 204 }))],
    ['a server without /session (404)', answer(404, {})],
    ['an answer without a username', answer(200, {})],
    ['the server cannot be reached', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))],
  ])('shows no Sign out button when %s', async (_why, fetch) => {
    expect(await signedInUser(fetch as unknown as typeof globalThis.fetch)).toBeNull();
  });

  it('signs out with DELETE /session', async () => {
    const fetch = answer(200, {});
    await signOut(fetch);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/session');
    expect(init.method).toBe('DELETE');
  });

  it('says so when signing out failed', async () => {
    await expect(signOut(answer(500, {}))).rejects.toThrow('Signing out failed (HTTP 500)');
    await expect(signOut(vi.fn(async () => Promise.reject(new TypeError('x'))))).rejects.toThrow('could not be reached');
  });
});
