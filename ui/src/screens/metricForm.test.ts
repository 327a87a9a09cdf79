import { describe, expect, it } from 'vitest';
import type { Metric } from '../lib/api/types';
import { emptyMetricForm, metricChanges, metricCreation, metricForm } from './metricForm';

const hits: Metric = {
  id: '1',
  service_id: '4',
  parent_id: null,
  system_name: 'hits',
  friendly_name: 'Hits',
  unit: 'hit',
  description: 'Number of API hits',
};

describe('metricCreation', () => {
  it('sends a metric with its unit, the system name only when typed', () => {
    const form = { ...emptyMetricForm(), friendly_name: ' Storage ', unit: ' GB ' };
    expect(metricCreation('4', null, form)).toEqual({
      service_id: '4',
      parent_id: null,
      system_name: null,
      friendly_name: 'Storage',
      unit: 'GB',
      description: '',
    });
  });

  it('makes a method under Hits, in Hits’ unit whatever was typed', () => {
    const form = { ...emptyMetricForm(), friendly_name: 'Get forecast', system_name: 'get_forecast', unit: 'call' };
    expect(metricCreation('4', hits, form)).toMatchObject({ parent_id: '1', system_name: 'get_forecast', unit: 'hit' });
  });
});

describe('metricChanges', () => {
  it('names only what changed', () => {
    expect(metricChanges(hits, metricForm(hits))).toEqual({ id: '1' });
    expect(metricChanges(hits, { ...metricForm(hits), friendly_name: 'Calls ', unit: 'call' })).toEqual({
      id: '1',
      friendly_name: 'Calls',
      unit: 'call',
    });
  });

  it('never changes a method’s unit', () => {
    const method = { ...hits, id: '2', parent_id: '1', system_name: 'get_x', friendly_name: 'Get X' };
    expect(metricChanges(method, { ...metricForm(method), unit: 'GB', description: 'Reads one X' })).toEqual({
      id: '2',
      description: 'Reads one X',
    });
  });
});
