// The information-security tab (giám sát an toàn thông tin mạng, issue 15): SIEM events per day by
// severity, the public systems' availability (as the cameras' on the traffic tab) and the mean time to
// respond. Operators and admins only: the server refuses the others, and audits every view.
import { useMemo } from 'preact/hooks';
import { localDate } from '#contract/cityTime.ts';
import { SEVERITY_BANDS, type SecurityDashboard } from '#contract/securityVocab.ts';
import { formatDuration, formatNumber, type Lang, translate } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { TabData } from './api.ts';
import { Chart, type ChartOption } from './Chart.tsx';
import { AXIS_LABEL, base, SPLIT, shortDay, valueAxisLabel } from './chartOptions.ts';
import { Card, Table } from './parts.tsx';

/** Band colours, from the axis up: grey-blue, amber, red, dark red (each band also named in the legend). */
export const BAND_COLOURS = {
  low: '#7d8fa3',
  medium: '#e0a100',
  high: '#d9480f',
  critical: '#8f0d1e',
} as const;

/** Events per local day, the bands stacked. */
export function bandsOption(lang: Lang, days: SecurityDashboard['perDay']): ChartOption {
  return {
    ...base(),
    color: Object.values(BAND_COLOURS),
    grid: { left: 8, right: 12, top: 40, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: days.map((d) => shortDay(lang, localDate(d.day))),
      axisLabel: AXIS_LABEL,
    },
    yAxis: { type: 'value', axisLabel: valueAxisLabel(lang), splitLine: SPLIT, minInterval: 1 },
    series: SEVERITY_BANDS.map((b) => ({
      name: translate(lang, `band.${b}`),
      type: 'bar',
      stack: 'events',
      data: days.map((d) => d[b]),
      barMaxWidth: 22,
      itemStyle: { color: BAND_COLOURS[b] },
    })),
  };
}

export function SecurityTab(props: { d: TabData; l: Lang }) {
  const { l } = props;
  const s = props.d.security;
  const days = s?.perDay ?? [];
  const chart = useMemo(() => bandsOption(l, days), [days, l]);
  if (!s) return null;
  const n = (v: number) => formatNumber(l, v);
  const pct = (v: number | null) => (v === null ? '—' : `${formatNumber(l, v * 100, 1)} %`);
  return (
    <>
      <div class="grid g-soc">
        <Card title={t('dash.soc.events')} testId="soc-kpis">
          <div class="kpis k3">
            <div class="kpi big" data-testid="soc-events">
              <div class="kpi-label">{t('dash.soc.events')}</div>
              <div class="kpi-value">{n(s.events)}</div>
            </div>
            <div class="kpi" data-testid="soc-blocked">
              <div class="kpi-label">{t('dash.soc.blocked')}</div>
              <div class="kpi-value">{n(s.blocked)}</div>
            </div>
            <div class="kpi" data-testid="soc-mttr">
              <div class="kpi-label">{t('dash.soc.mttr')}</div>
              <div class="kpi-value">{s.mttrMs === null ? '—' : formatDuration(l, s.mttrMs)}</div>
            </div>
          </div>
          <p class="note" data-testid="soc-mttr-how">
            {s.mttrMs === null ? t('dash.soc.noMttr') : t('dash.soc.mttrHow', { n: n(s.acknowledged) })}
          </p>
        </Card>
      </div>
      <Card title={t('dash.soc.perDay')} testId="soc-per-day">
        {days.length ? (
          <Chart option={chart} lang={l} height={300} testId="chart-soc-bands" />
        ) : (
          <div class="empty-state" data-testid="soc-empty">
            {t('dash.soc.noEvents')}
          </div>
        )}
      </Card>
      <Card title={t('dash.soc.availability')} testId="soc-availability">
        <Table
          testId="table-soc-availability"
          rows={s.availability}
          empty={t('sec.noSystems')}
          cols={[
            { head: t('dash.col.rank'), cell: (r) => s.availability.indexOf(r) + 1, num: true },
            { head: t('sec.col.system'), cell: (r) => (l === 'vi' ? r.nameVi : r.nameEn) },
            {
              head: t('dash.col.availability'),
              cell: (r) => (
                <span class={r.share !== null && r.share < 0.9 ? 'bad-text' : ''}>{pct(r.share)}</span>
              ),
              num: true,
            },
            {
              head: t('dash.soc.checks'),
              cell: (r) => t('dash.soc.probes', { up: n(r.up), n: n(r.probes) }),
              num: true,
            },
          ]}
        />
        <p class="note">{t('sec.audited')}</p>
      </Card>
    </>
  );
}
