// Metrics and methods as every screen names them: a method (a metric under Hits) reads
// "Hits › Get forecast" wherever it is chosen or priced, and counts in its parent's unit.

import type { Metric } from './api/types';

export function isMethod(metric: Metric): boolean {
  return metric.parent_id != null;
}

/** "Storage", or "Hits › Get forecast" for a method. */
export function metricLabel(metric: Metric, metrics: readonly Metric[]): string {
  const parent = metric.parent_id == null ? undefined : metrics.find((m) => m.id === metric.parent_id);
  return parent ? `${parent.friendly_name} › ${metric.friendly_name}` : metric.friendly_name;
}

/** The unit usage of `metric` is counted in: a method's is its parent's (3scale's rule). */
export function metricUnit(metric: Metric, metrics: readonly Metric[]): string {
  const parent = metric.parent_id == null ? undefined : metrics.find((m) => m.id === metric.parent_id);
  return parent?.unit ?? metric.unit;
}

/** A metric as a choice in a list: its label and, when it has one, its unit. */
export function metricChoice(metric: Metric, metrics: readonly Metric[]): string {
  const unit = metricUnit(metric, metrics);
  const label = metricLabel(metric, metrics);
  return unit ? `${label} (${unit})` : label;
}

/** The service's Hits metric, under which methods live. */
export function hitsOf(metrics: readonly Metric[]): Metric | undefined {
  return metrics.find((m) => m.system_name === 'hits' && m.parent_id == null);
}
