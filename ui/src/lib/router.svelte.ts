// Hash routing: #/accounts, #/accounts/new, #/accounts/<id>, #/plans, #/plans/<id>.
// The hash survives a reload, so the screen comes back where the user was.

export type Route =
  | { screen: 'accounts'; accountId: string | null; creating: boolean }
  | { screen: 'plans'; planId: string | null }
  | { screen: 'not_found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/accounts';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [screen, id, extra] = parts;
  if (screen === 'accounts' && extra === undefined) {
    if (id === 'new') return { screen: 'accounts', accountId: null, creating: true };
    return { screen: 'accounts', accountId: id ?? null, creating: false };
  }
  if (screen === 'plans' && extra === undefined) {
    return { screen: 'plans', planId: id ?? null };
  }
  return { screen: 'not_found', path };
}

export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

let hash = $state(typeof location !== 'undefined' ? location.hash : '');

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    hash = location.hash;
  });
}

export const router = {
  get route(): Route {
    return parseRoute(hash);
  },
};

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}
