import { describe, expect, it } from 'vitest';
import type { Metric } from './api/types';
import { hitsOf, isMethod, metricChoice, metricLabel, metricUnit } from './metrics';

const metric = (id: string, friendly_name: string, unit: string, parent_id: string | null = null): Metric => ({
  id,
  service_id: '1',
  parent_id,
  system_name: friendly_name.toLowerCase().replace(/ /g, '_'),
  friendly_name,
  unit,
  description: '',
});

const hits = metric('1', 'Hits', 'hit');
const forecast = metric('2', 'Get forecast', 'call', '1');
const storage = metric('3', 'Storage', 'GB');
const all = [hits, forecast, storage];

describe('metrics', () => {
  it.each([
    { why: 'a metric by its name', m: storage, label: 'Storage', choice: 'Storage (GB)' },
    { why: 'a method under its parent, in its parent’s unit', m: forecast, label: 'Hits › Get forecast', choice: 'Hits › Get forecast (hit)' },
    { why: 'Hits itself', m: hits, label: 'Hits', choice: 'Hits (hit)' },
  ])('$why', ({ m, label, choice }) => {
    expect(metricLabel(m, all)).toBe(label);
    expect(metricChoice(m, all)).toBe(choice);
  });

  it('tells methods from metrics and finds Hits', () => {
    expect([hits, forecast, storage].map(isMethod)).toEqual([false, true, false]);
    expect(hitsOf(all)).toBe(hits);
    expect(metricUnit(forecast, all)).toBe('hit');
  });

  it('names a method whose parent is not loaded by its own name', () => {
    expect(metricLabel(forecast, [forecast])).toBe('Get forecast');
  });
});
