import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** docs/grafana-dashboard.json: every query of every panel, and the metric names they read. */

const DASHBOARD = join(__dirname, '..', '..', 'docs', 'grafana-dashboard.json');

/** PromQL's functions, aggregations and keywords: every other bare name in a query is a metric. */
const PROMQL_WORDS = new Set(
  (
    'sum avg min max count stddev stdvar topk bottomk quantile count_values group by without on ignoring ' +
    'group_left group_right bool and or unless offset rate irate increase delta idelta deriv histogram_quantile ' +
    'abs ceil floor round clamp clamp_min clamp_max label_replace label_join vector scalar time ' +
    'avg_over_time max_over_time min_over_time sum_over_time count_over_time absent absent_over_time'
  ).split(' '),
);

export function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr?: string }> }>;
  };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
}

/** The metric names one query reads: label matchers, grouping labels, ranges, strings and numbers left out. */
export function metricNamesOf(query: string): string[] {
  const bare = query
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  const names = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((name) => !PROMQL_WORDS.has(name)))];
}

/** The metric names a Prometheus text exposition has samples of (`name{labels} value` or `name value`). */
export function exportedMetricNames(exposition: string): Set<string> {
  return new Set(
    exposition
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? ''),
  );
}
