import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router.svelte';

describe('parseRoute', () => {
  it.each([
    ['', { screen: 'accounts', accountId: null, creating: false }],
    ['#/', { screen: 'accounts', accountId: null, creating: false }],
    ['#/accounts', { screen: 'accounts', accountId: null, creating: false }],
    ['#/accounts/', { screen: 'accounts', accountId: null, creating: false }],
    ['#/accounts/new', { screen: 'accounts', accountId: null, creating: true }],
    ['#/accounts/42', { screen: 'accounts', accountId: '42', creating: false }],
    ['#/plans', { screen: 'plans', planId: null }],
    ['#/plans/7', { screen: 'plans', planId: '7' }],
    ['#/invoices', { screen: 'not_found', path: '/invoices' }],
    ['#/plans/7/rules', { screen: 'not_found', path: '/plans/7/rules' }],
  ])('%j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('builds links that parse back', () => {
    expect(parseRoute(href('plans', '12'))).toEqual({ screen: 'plans', planId: '12' });
  });
});
