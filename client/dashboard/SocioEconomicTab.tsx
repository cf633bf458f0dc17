// The socio-economic tab (kinh tế – xã hội): each indicator's latest period against the one before, the
// same period a year earlier and the year's plan; a 24-month (8-quarter) chart of each one chosen.
import { useMemo } from 'preact/hooks';
import type { SocioEconomicFigure } from '#contract/servicesApi.ts';
import { formatIndicator, type Lang } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { TabData } from './api.ts';
import { Chart } from './Chart.tsx';
import { Card, Level, Table } from './parts.tsx';
import { socioOption } from './serviceChartOptions.ts';
import { indicatorText, percentText, periodName, unitLabel } from './serviceFormat.ts';
import { socioSeries, view } from './state.ts';

/** The indicators whose charts show: those in the URL, else the first two of the table. */
export function chosenIndicators(chosen: string[] | undefined, rows: SocioEconomicFigure[]): string[] {
  const ids = rows.map((r) => r.indicatorId);
  return chosen ? chosen.filter((id) => ids.includes(id)) : ids.slice(0, 2);
}

function SeriesChart(props: { row: SocioEconomicFigure; l: Lang }) {
  const { row, l } = props;
  const series = socioSeries.value.get(row.indicatorId);
  const points = series?.items ?? [];
  const option = useMemo(() => socioOption(l, points, row.unit), [points, l, row.unit]);
  const name = l === 'vi' ? row.nameVi : row.nameEn;
  return (
    <Card
      title={t('dash.se.chartTitle', { name, unit: unitLabel(l, row.unit) })}
      csv="seSeries"
      csvParams={{ indicator: row.indicatorId }}
      csvTestId={`csv-seSeries-${row.indicatorId}`}
      testId={`se-chart-${row.indicatorId}`}
    >
      {series === undefined || series === null ? (
        <div class="empty-state">{t('dash.loading')}</div>
      ) : points.some((p) => p.value !== null) ? (
        <Chart option={option} lang={l} height={260} testId={`chart-se-${row.indicatorId}`} />
      ) : (
        <div class="empty-state">{t('dash.se.noSeries')}</div>
      )}
    </Card>
  );
}

export function SocioEconomicTab(props: { d: TabData; l: Lang }) {
  const { d, l } = props;
  const rows = d.seIndicators?.items ?? [];
  const chosen = chosenIndicators(view.value.indicators, rows);
  const toggle = (id: string) => {
    const next = chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id];
    // in the table's order, so that the charts follow it
    const order = rows.map((r) => r.indicatorId).filter((x) => next.includes(x));
    view.value = { ...view.value, indicators: order };
  };
  const val = (r: SocioEconomicFigure, v: number | null) => formatIndicator(l, v, r.unit).num;
  const yoy = (v: number | null) =>
    v === null ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${percentText(l, Math.abs(v))}`;
  const hasAny = rows.some((r) => r.latest !== null);
  return (
    <>
      <Card title={t('dash.se.table')} csv="seIndicators" testId="se-table-card">
        {hasAny ? (
          <Table
            testId="table-se"
            rows={rows}
            cols={[
              {
                head: t('dash.se.col.chart'),
                cell: (r) => (
                  <input
                    type="checkbox"
                    checked={chosen.includes(r.indicatorId)}
                    aria-label={t('dash.se.show', { name: l === 'vi' ? r.nameVi : r.nameEn })}
                    data-testid={`se-pick-${r.indicatorId}`}
                    onChange={() => toggle(r.indicatorId)}
                  />
                ),
              },
              { head: t('dash.se.col.indicator'), cell: (r) => <b>{l === 'vi' ? r.nameVi : r.nameEn}</b> },
              {
                head: t('dash.se.col.period'),
                cell: (r) => (r.latestPeriod ? periodName(l, r.latestPeriod) : '—'),
              },
              {
                head: t('dash.se.col.value'),
                cell: (r) => (
                  <b data-testid={`se-value-${r.indicatorId}`}>{indicatorText(l, r.latest, r.unit)}</b>
                ),
                num: true,
              },
              { head: t('dash.se.col.previous'), cell: (r) => val(r, r.previous), num: true },
              { head: t('dash.se.col.sameLastYear'), cell: (r) => val(r, r.sameLastYear), num: true },
              { head: t('dash.se.col.yoy'), cell: (r) => yoy(r.yearOnYear), num: true },
              {
                head: t('dash.se.col.ytd'),
                cell: (r) => <span data-testid={`se-ytd-${r.indicatorId}`}>{val(r, r.yearToDate)}</span>,
                num: true,
              },
              { head: t('dash.se.col.plan'), cell: (r) => val(r, r.plan), num: true },
              {
                head: t('dash.se.col.planShare'),
                cell: (r) => (
                  <span data-testid={`se-plan-${r.indicatorId}`}>{percentText(l, r.planShare)}</span>
                ),
                num: true,
              },
              { head: t('dash.svc.level'), cell: (r) => <Level level={r.level} /> },
            ]}
          />
        ) : (
          <div class="empty-state" data-testid="se-empty">
            {t('dash.se.empty')}
          </div>
        )}
        <p class="note">{t('dash.se.note')}</p>
      </Card>
      {hasAny && chosen.length === 0 && <p class="note">{t('dash.se.pick')}</p>}
      <div class="grid g2">
        {chosen.map((id) => {
          const row = rows.find((r) => r.indicatorId === id) as SocioEconomicFigure;
          return <SeriesChart key={id} row={row} l={l} />;
        })}
      </div>
    </>
  );
}
