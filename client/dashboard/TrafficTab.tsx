// The traffic and scene-reports tab: the dashboard as it was before the service tabs (traffic, incidents,
// cameras, reports, the alarm system's health).
import { useMemo } from 'preact/hooks';
import type { AlarmSource } from '#contract/dashboardApi.ts';
import { formatNumber, formatPct, type Lang } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { DashboardData } from './api.ts';
import { Chart, type ChartOption } from './Chart.tsx';
import {
  alarmRateOption,
  bucketLabel,
  calendarOption,
  categoryOption,
  districtMapOption,
  incidentsOption,
  sourceOption,
  speedOption,
} from './chartOptions.ts';
import { formatValue } from './kpiFormat.ts';
import { Card, KpiTile, Table } from './parts.tsx';
import { mapReady } from './state.ts';

export function TrafficTab(props: { d: DashboardData; l: Lang; wardName: (id: string | null) => string }) {
  const { d, l } = props;
  const dn = props.wardName;
  const kpis = useMemo(() => new Map(d.summary.items.map((k) => [k.key, k])), [d]);
  const charts = useMemo(
    () => ({
      speed: speedOption(l, d.series.items),
      incidents: incidentsOption(l, d.series.items),
      categories: categoryOption(l, d.categories.items),
      sources: sourceOption(l, d.summary.items),
      map: districtMapOption(l, d.districts.items),
      calendar: calendarOption(l, d.calendar.items),
      alarmRate: alarmRateOption(l, d.alarmRate.items, d.alarmRate.period.days),
    }),
    [d, l],
  );
  const pct = (v: number | null) => (v === null ? '—' : formatPct(l, v * 100, 1, 1));
  const n1 = (v: number | null) => (v === null ? '—' : formatNumber(l, v, 1, 1));
  const mins = (v: number | null) => {
    if (v === null) return '—';
    const f = formatValue(l, v, 'minutes');
    return `${f.text} ${f.unit}`;
  };
  return (
    <>
      <div class="kpi-groups">
        <Card title={t('dash.sec.traffic')} csv="summary" class="g-traffic" testId="sec-traffic">
          <div class="kpis k2">
            <KpiTile k={kpis.get('peakSpeed')} l={l} big />
            <KpiTile k={kpis.get('avgSpeed')} l={l} big />
            <KpiTile k={kpis.get('congestedHours')} l={l} />
            <KpiTile k={kpis.get('congestionShare')} l={l} />
          </div>
          <p class="note">{t('dash.peakNote')}</p>
        </Card>
        <Card title={t('dash.sec.incidents')} csv="summary" class="g-incidents" testId="sec-incidents">
          <div class="kpis k4">
            <KpiTile k={kpis.get('received')} l={l} big />
            <KpiTile k={kpis.get('resolved')} l={l} big />
            <KpiTile k={kpis.get('onTimeRate')} l={l} big />
            <KpiTile k={kpis.get('open')} l={l} big />
            <KpiTile k={kpis.get('ackMedian')} l={l} />
            <KpiTile k={kpis.get('ackP90')} l={l} />
            <KpiTile k={kpis.get('resolveMedian')} l={l} />
            <KpiTile k={kpis.get('resolveP90')} l={l} />
          </div>
          <p class="note">{t('dash.targetNote')}</p>
        </Card>
        <Card title={t('dash.sec.cameras')} csv="cameras" class="g-cameras" testId="sec-cameras">
          <div class="kpis k1">
            <KpiTile k={kpis.get('cameraAvailability')} l={l} big />
          </div>
          <div class="sub-title">{t('dash.sec.reports')}</div>
          <div class="kpis k2 small">
            {(['field', 'open311', 'camera', 'mqtt'] as const).map((s) => (
              <KpiTile key={s} k={kpis.get(`reports.${s}`)} l={l} />
            ))}
          </div>
        </Card>
      </div>

      <h2 class="section">{t('dash.sec.trends')}</h2>
      <div class="grid g2">
        <Card title={t('dash.chart.speed', { unit: t('unit.kmh') })} csv="series">
          <Chart option={charts.speed} lang={l} height={260} testId="chart-speed" />
        </Card>
        <Card title={t('dash.chart.incidents')} csv="series">
          <Chart option={charts.incidents} lang={l} height={260} testId="chart-incidents" />
        </Card>
      </div>

      <h2 class="section break-before">{t('dash.sec.map')}</h2>
      <div class="grid g3">
        <Card title={t('dash.chart.map')} csv="districts">
          {mapReady.value && <Chart option={charts.map} lang={l} height={330} testId="chart-map" />}
        </Card>
        <Card title={t('dash.chart.byCategory')} csv="categories">
          <Chart option={charts.categories} lang={l} height={330} testId="chart-categories" />
        </Card>
        <Card title={t('dash.chart.bySource')} csv="summary">
          <Chart option={charts.sources} lang={l} height={330} testId="chart-sources" />
        </Card>
      </div>
      <Card title={t('dash.sec.calendar')} csv="calendar">
        <Chart option={charts.calendar} lang={l} height={210} testId="chart-calendar" />
      </Card>

      <div class="grid g2 break-before">
        <Card title={t('dash.table.worst')} csv="worst">
          <Table
            testId="table-worst"
            rows={d.worst.items}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.col.segment'), cell: (r) => r.name },
              { head: t('dash.col.district'), cell: (r) => dn(r.districtId) },
              { head: t('dash.col.limit'), cell: (r) => formatNumber(l, r.speedLimitKmh), num: true },
              { head: t('dash.col.avg'), cell: (r) => n1(r.avgSpeedKmh), num: true },
              { head: t('dash.col.peak'), cell: (r) => n1(r.peakSpeedKmh), num: true },
              {
                head: t('dash.col.congested'),
                cell: (r) => formatNumber(l, r.congestedHours),
                num: true,
              },
            ]}
          />
        </Card>
        <Card title={t('dash.table.cameras')} csv="cameras">
          <Table
            testId="table-cameras"
            rows={d.cameras.items}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.col.camera'), cell: (r) => r.name },
              { head: t('dash.col.district'), cell: (r) => dn(r.districtId) },
              {
                head: t('dash.col.availability'),
                cell: (r) => (
                  <span class={r.availability < 0.9 ? 'bad-text' : ''}>{pct(r.availability)}</span>
                ),
                num: true,
              },
              { head: t('dash.col.hours'), cell: (r) => formatNumber(l, r.hours), num: true },
            ]}
          />
        </Card>
      </div>
      <div class="grid g2">
        <Card title={t('dash.table.categories')} csv="categories">
          <Table
            testId="table-categories"
            rows={d.categories.items}
            cols={[
              { head: t('dash.col.category'), cell: (r) => t(`cat.${r.key}` as MessageKey) },
              { head: t('dash.col.received'), cell: (r) => formatNumber(l, r.received), num: true },
              { head: t('dash.col.resolved'), cell: (r) => formatNumber(l, r.resolved), num: true },
              { head: t('dash.col.onTime'), cell: (r) => pct(r.onTimeRate), num: true },
              { head: t('dash.col.ackMedian'), cell: (r) => mins(r.ackMedianMin), num: true },
              { head: t('dash.col.resolveMedian'), cell: (r) => mins(r.resolveMedianMin), num: true },
              { head: t('dash.col.open'), cell: (r) => formatNumber(l, r.open), num: true },
            ]}
          />
        </Card>
        <Card title={t('dash.table.districts')} csv="districts">
          <Table
            testId="table-districts"
            rows={d.districts.items}
            cols={[
              { head: t('dash.col.district'), cell: (r) => r.name },
              { head: t('dash.col.received'), cell: (r) => formatNumber(l, r.received), num: true },
              { head: t('dash.col.onTime'), cell: (r) => pct(r.onTimeRate), num: true },
              { head: t('dash.col.speed'), cell: (r) => n1(r.avgSpeedKmh), num: true },
              { head: t('dash.col.congestion'), cell: (r) => pct(r.congestionShare), num: true },
              { head: t('dash.col.availability'), cell: (r) => pct(r.cameraAvailability), num: true },
            ]}
          />
        </Card>
      </div>

      <AlarmHealthSection d={d} l={l} chart={charts.alarmRate} wardName={dn} />
    </>
  );
}

/** Detail codes of alarm keys the dashboard has words for (a detection kind, an SLA level, a part). */
const ALARM_DETAILS = new Set([
  'db',
  'broker',
  'ingest_lag',
  'ingest',
  'warning',
  'overdue',
  'accident',
  'fire',
  'flood',
  'crowd',
  'wrong_way',
  'congestion',
  'vehicle_count',
  'other',
]);

/** Where an alarm came from, in words: the asset's name (or id), then what the key adds. */
function alarmSourceText(r: AlarmSource): string {
  const detail =
    r.detail === null
      ? null
      : ALARM_DETAILS.has(r.detail)
        ? t(`dash.alarm.detail.${r.detail}` as MessageKey)
        : r.detail;
  return [r.name ?? r.assetId, detail].filter((x) => x !== null).join(' · ') || '—';
}

/**
 * The alarm system's health (EEMUA 191): the figures against their targets, the rate per 10 minutes
 * over the period with the target line, the most frequent sources.
 */
function AlarmHealthSection(props: {
  d: DashboardData;
  l: Lang;
  chart: ChartOption | undefined;
  wardName: (id: string | null) => string;
}) {
  const { d, l } = props;
  const k = new Map(d.alarmHealth.items.map((x) => [x.key, x]));
  const raised = k.get('alarmsRaised')?.value ?? 0;
  const positions = k.get('operatorPositions')?.value ?? 1;
  const days = d.alarmRate.period.days;
  return (
    <section data-testid="sec-alarms">
      <h2 class="section break-before">{t('dash.sec.alarms')}</h2>
      <Card title={t('dash.alarm.kpiTitle')} csv="alarmHealth" testId="alarm-kpis">
        <div class="kpis k7">
          <KpiTile k={k.get('alarmRate')} l={l} big />
          <KpiTile k={k.get('alarmPeakRate')} l={l} />
          <KpiTile k={k.get('alarmFloodShare')} l={l} />
          <KpiTile k={k.get('alarmAckMedian')} l={l} />
          <KpiTile k={k.get('alarmStanding')} l={l} />
          <KpiTile k={k.get('alarmChattering')} l={l} />
          <KpiTile k={k.get('alarmsRaised')} l={l} />
        </div>
        <p class="note">{t('dash.alarm.note', { positions: formatNumber(l, positions) })}</p>
      </Card>
      <div class="grid g-alarms">
        <Card title={t('dash.chart.alarmRate')} csv="alarmRate">
          {raised === 0 ? (
            <div class="empty-state" data-testid="alarm-empty">
              {t('dash.alarm.empty')}
            </div>
          ) : (
            props.chart && <Chart option={props.chart} lang={l} height={300} testId="chart-alarm-rate" />
          )}
        </Card>
        <Card title={t('dash.table.alarmSources')} csv="alarmSources">
          <Table
            testId="table-alarm-sources"
            rows={d.alarmSources.items}
            empty={t('dash.alarm.empty')}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.col.alarmRule'), cell: (r) => t(`alarm.rule.${r.rule}` as MessageKey) },
              { head: t('dash.col.alarmSource'), cell: (r) => alarmSourceText(r) },
              { head: t('dash.col.district'), cell: (r) => props.wardName(r.wardId) },
              {
                head: t('dash.col.alarmRaised'),
                cell: (r) => (
                  <>
                    {r.chattering && (
                      <span class="tag-chatter" title={t('dash.kpi.alarmChattering')}>
                        ⟳ {t('dash.alarm.chattering')}
                      </span>
                    )}{' '}
                    <b>{formatNumber(l, r.raised)}</b>
                  </>
                ),
                num: true,
              },
              {
                head: t('dash.col.alarmLast'),
                cell: (r) => bucketLabel(l, r.lastRaisedAt, days > 1),
                num: true,
              },
            ]}
          />
        </Card>
      </div>
    </section>
  );
}
