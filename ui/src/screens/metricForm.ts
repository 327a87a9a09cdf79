// The metric and method form: what the user typed, and the engine input it becomes. A method
// (3scale's word for a metric under Hits) has no unit of its own: it counts in Hits' unit.

import type { CreateMetric, Metric, UpdateMetric } from '../lib/api/types';

export interface MetricForm {
  friendly_name: string;
  system_name: string;
  unit: string;
  description: string;
}

export const METRIC_FIELDS: readonly string[] = ['friendly_name', 'system_name', 'unit', 'description', 'parent_id'];

export function emptyMetricForm(): MetricForm {
  return { friendly_name: '', system_name: '', unit: '', description: '' };
}

export function metricForm(metric: Metric): MetricForm {
  return {
    friendly_name: metric.friendly_name,
    system_name: metric.system_name,
    unit: metric.unit,
    description: metric.description,
  };
}

/** A new metric of the service, or a method under `parent` (Hits), which takes its unit. */
export function metricCreation(serviceId: string, parent: Metric | null, form: MetricForm): CreateMetric {
  const systemName = form.system_name.trim();
  return {
    service_id: serviceId,
    parent_id: parent?.id ?? null,
    system_name: systemName === '' ? null : systemName,
    friendly_name: form.friendly_name.trim(),
    unit: parent ? parent.unit : form.unit.trim(),
    description: form.description.trim(),
  };
}

/** The change of `metric` the form asks for: only the fields that differ (an update names
 *  what it changes). A method's unit is not its own to change. */
export function metricChanges(metric: Metric, form: MetricForm): UpdateMetric {
  const changes: UpdateMetric = { id: metric.id };
  const name = form.friendly_name.trim();
  const unit = form.unit.trim();
  const description = form.description.trim();
  if (name !== metric.friendly_name) changes.friendly_name = name;
  if (metric.parent_id == null && unit !== metric.unit) changes.unit = unit;
  if (description !== metric.description) changes.description = description;
  return changes;
}
