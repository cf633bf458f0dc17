// Pieces every tab draws with: cards with their CSV link, KPI tiles, tables, threshold levels.
import type { ComponentChildren } from 'preact';
import type { AlarmHealthKpi, Kpi } from '#contract/dashboardApi.ts';
import type { ServiceKpi, ServiceLevel } from '#contract/servicesApi.ts';
import { formatIndicator, type Lang } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { DownloadLink } from '../shared/DownloadLink.tsx';
import { type EndpointName, endpointUrl } from './api.ts';
import { formatDelta, formatTarget, formatValue } from './kpiFormat.ts';
import { formatServiceDelta, levelText } from './serviceFormat.ts';
import { csvFailure, loadedAt, view } from './state.ts';

export function CsvLink(props: { name: EndpointName; params?: Record<string, string>; testId?: string }) {
  return (
    <DownloadLink
      class="csv"
      href={endpointUrl(props.name, view.value, loadedAt.value, true, props.params)}
      filename={`ioc-${props.name}.csv`}
      title={t('dash.csvTitle')}
      testId={props.testId ?? `csv-${props.name}`}
      onStart={() => (csvFailure.value = undefined)}
      onError={(text) => (csvFailure.value = text)}
    >
      ⤓ {t('dash.csv')}
    </DownloadLink>
  );
}

export function Card(props: {
  title: ComponentChildren;
  csv?: EndpointName;
  csvParams?: Record<string, string>;
  csvTestId?: string;
  children: ComponentChildren;
  class?: string;
  testId?: string;
}) {
  return (
    <section class={`card ${props.class ?? ''}`} data-testid={props.testId}>
      <header class="card-head">
        <h3>{props.title}</h3>
        {props.csv && <CsvLink name={props.csv} params={props.csvParams} testId={props.csvTestId} />}
      </header>
      {props.children}
    </section>
  );
}

/** The change against the previous period, or that there was none to compare with. */
function Delta(props: { d: { text: string; tone: string; arrow: string } | null }) {
  const d = props.d;
  return (
    <div class={`kpi-delta ${d ? d.tone : 'neutral'}`}>
      {d ? (
        <>
          <span class="arrow">{d.arrow}</span> {d.text} <span class="muted">{t('dash.vsPrev')}</span>
        </>
      ) : (
        <span class="muted">{t('dash.noPrev')}</span>
      )}
    </div>
  );
}

export function KpiTile(props: { k: Kpi | AlarmHealthKpi | undefined; l: Lang; big?: boolean }) {
  const k = props.k;
  if (!k) return null;
  const v = formatValue(props.l, k.value, k.unit);
  // an alarm figure says whether it meets its target, in words and a mark, not only in colour
  const target = 'target' in k ? formatTarget(props.l, k) : null;
  return (
    <div
      class={`kpi ${props.big ? 'kpi-big' : ''} ${target ? (target.met ? 'kpi-met' : 'kpi-missed') : ''}`}
      data-testid={`kpi-${k.key}`}
    >
      <div class="kpi-label">{t(`dash.kpi.${k.key}` as MessageKey)}</div>
      <div class="kpi-value">
        <span data-testid={`kpi-value-${k.key}`}>{v.text}</span>
        {v.unit && <span class="kpi-unit">{v.unit}</span>}
      </div>
      {target && (
        <div class={`kpi-target ${target.met ? 'good' : 'bad'}`} data-testid={`target-${k.key}`}>
          {target.text}
        </div>
      )}
      <Delta d={formatDelta(props.l, k)} />
    </div>
  );
}

/** A threshold level as a word with a mark beside its colour (the colour is never the only sign). */
export function Level(props: { level: ServiceLevel; testId?: string }) {
  if (props.level === 'none') return <span class="muted">—</span>;
  const mark = props.level === 'ok' ? '●' : props.level === 'warning' ? '▲' : '◆';
  return (
    <span class={`level level-${props.level}`} data-testid={props.testId}>
      {mark} {levelText(lang.value, props.level)}
    </span>
  );
}

/**
 * A service KPI: its name (`dash.<prefix>.kpi.<key>`, else the catalogue's name of an indicator of that
 * id), the value in its unit (`dash.<prefix>.kpi.<key>.unit` where the vocabulary's word does not fit: a
 * `count` of topics is "8 chủ đề", not "8 lượt"), the change, the threshold level when it has one.
 */
export function ServiceKpiTile(props: {
  k: ServiceKpi;
  l: Lang;
  prefix: 'ps' | 'oi';
  name: (key: string) => string | undefined;
  big?: boolean;
}) {
  const { k, l } = props;
  const v = formatIndicator(l, k.value, k.unit);
  const key = `dash.${props.prefix}.kpi.${k.key}` as MessageKey;
  const label = t(key) !== key ? t(key) : (props.name(k.key) ?? k.key);
  const unitKey = `${key}.unit` as MessageKey;
  const unit = t(unitKey) !== unitKey ? t(unitKey) : v.unit;
  return (
    <div
      class={`kpi ${props.big ? 'kpi-big' : ''} ${k.level === 'warning' || k.level === 'critical' ? `kpi-${k.level}` : ''}`}
      data-testid={`kpi-${props.prefix}-${k.key}`}
    >
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">
        <span data-testid={`kpi-value-${props.prefix}-${k.key}`}>{v.num}</span>
        {k.value !== null && <span class="kpi-unit">{unit}</span>}
      </div>
      {k.level !== 'none' && (
        <div class="kpi-level">
          <Level level={k.level} testId={`level-${props.prefix}-${k.key}`} />
        </div>
      )}
      <Delta d={formatServiceDelta(l, k)} />
    </div>
  );
}

export function Table<R>(props: {
  rows: R[];
  cols: Array<{ head: string; cell: (r: R) => ComponentChildren; num?: boolean }>;
  testId: string;
  /** what an empty table says (default: no data yet) */
  empty?: string;
}) {
  return (
    <table class="tbl" data-testid={props.testId}>
      <thead>
        <tr>
          {props.cols.map((c) => (
            <th key={c.head} class={c.num ? 'num' : ''}>
              {c.head}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 && (
          <tr>
            <td colSpan={props.cols.length} class="empty">
              {props.empty ?? t('dash.noData')}
            </td>
          </tr>
        )}
        {props.rows.map((r, i) => (
          <tr key={i}>
            {props.cols.map((c) => (
              <td key={c.head} class={c.num ? 'num' : ''}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
