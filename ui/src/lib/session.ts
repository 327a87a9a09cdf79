// Signing out of `counterfoil serve` (docs/access.md): beyond loopback the UI is behind a
// sign-in, and `GET /session` tells who is signed in. The desktop app needs no sign-in and has
// no /session, so nothing here runs there.

import { insideTauri } from './api';

type Fetch = typeof fetch;

/** Who is signed in to the server, or null (nobody, no sign-in on this server, or the desktop). */
export async function signedInUser(fetchImpl: Fetch = (...args) => fetch(...args)): Promise<string | null> {
  if (insideTauri()) return null;
  try {
    const response = await fetchImpl('/session', { headers: { accept: 'application/json' } });
    // 204: a server nobody needs to sign in to.
    if (!response.ok || response.status === 204) return null;
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) {
      const { username } = body as Record<string, unknown>;
      if (typeof username === 'string' && username !== '') return username;
    }
    return null;
  } catch {
    return null;
  }
}

/** Ends the session; the page then reloads into the sign-in form. Throws when the server
 * could not be reached or refused. */
export async function signOut(fetchImpl: Fetch = (...args) => fetch(...args)): Promise<void> {
  let response: Response;
  try {
    response = await fetchImpl('/session', { method: 'DELETE', headers: { accept: 'application/json' } });
  } catch {
    throw new Error('Counterfoil could not be reached to sign you out. Try again.');
  }
  if (!response.ok) throw new Error(`Signing out failed (HTTP ${response.status}). Try again.`);
}
