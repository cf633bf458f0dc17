// The public-services tab (giám sát dịch vụ công): dossiers against the previous period, per day with the
// on-time rate, agencies ranked with their overdue dossiers, and the wards.
import { useMemo } from 'preact/hooks';
import type { DossierFigures } from '#contract/servicesApi.ts';
import { formatNumber, type Lang } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { TabData } from './api.ts';
import { Chart } from './Chart.tsx';
import { Card, Level, ServiceKpiTile, Table } from './parts.tsx';
import { dossierOption } from './serviceChartOptions.ts';
import { percentText } from './serviceFormat.ts';
import { indicatorName } from './state.ts';

/** The columns both tables share, after the name. */
function dossierCols(l: Lang) {
  // counts of dossiers: the unit is said once under the table
  const n = (v: number) => formatNumber(l, v);
  return [
    { head: t('dash.ps.col.received'), cell: (r: DossierFigures) => n(r.received), num: true },
    { head: t('dash.ps.col.onTime'), cell: (r: DossierFigures) => n(r.resolvedOnTime), num: true },
    { head: t('dash.ps.col.late'), cell: (r: DossierFigures) => n(r.resolvedLate), num: true },
    { head: t('dash.ps.col.returned'), cell: (r: DossierFigures) => n(r.returned), num: true },
    {
      head: t('dash.ps.col.rate'),
      cell: (r: DossierFigures) => <b>{percentText(l, r.onTimeRate)}</b>,
      num: true,
    },
    { head: t('dash.ps.col.online'), cell: (r: DossierFigures) => percentText(l, r.onlineShare), num: true },
  ];
}

/** Whether a row has anything in the period: an agency or ward without a dossier is left out of its table. */
const active = (r: DossierFigures) =>
  r.received + r.resolvedOnTime + r.resolvedLate + r.returned > 0 || (r.overdueNow ?? 0) > 0;

export function PublicServicesTab(props: { d: TabData; l: Lang }) {
  const { d, l } = props;
  const kpis = d.psKpis?.items ?? [];
  const days = d.psSeries?.items ?? [];
  const chart = useMemo(() => dossierOption(l, days), [days, l]);
  const name = (r: DossierFigures) => (l === 'vi' ? r.nameVi : r.nameEn);
  const anyDossier = days.some((x) => x.received + x.resolvedOnTime + x.resolvedLate + x.returned > 0);
  const big = new Set(['received', 'onTimeRate', 'overdueNow']);
  return (
    <>
      <Card title={t('dash.ps.kpiTitle')} csv="psKpis" testId="ps-kpis">
        <div class={`kpis svc-kpis k${Math.min(Math.max(kpis.length, 1), 8)}`}>
          {kpis.map((k) => (
            <ServiceKpiTile
              key={k.key}
              k={k}
              l={l}
              prefix="ps"
              big={big.has(k.key)}
              name={(id) => indicatorName(id, l)}
            />
          ))}
        </div>
        <p class="note">
          {t('dash.svc.inPeriod')}. {t('dash.ps.note')}
        </p>
      </Card>
      <Card title={t('dash.ps.chart')} csv="psSeries">
        {anyDossier ? (
          <Chart option={chart} lang={l} height={300} testId="chart-dossiers" />
        ) : (
          <div class="empty-state" data-testid="ps-empty">
            {t('dash.ps.empty')}
          </div>
        )}
      </Card>
      <div class="grid g-ps">
        <Card title={t('dash.ps.agencies')} csv="psAgencies">
          <Table
            testId="table-agencies"
            rows={(d.psAgencies?.items ?? []).filter(active)}
            empty={t('dash.ps.empty')}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.ps.col.agency'), cell: name },
              ...dossierCols(l),
              {
                head: t('dash.ps.col.overdue'),
                cell: (r) => (r.overdueNow === null ? '—' : formatNumber(l, r.overdueNow)),
                num: true,
              },
              { head: t('dash.svc.level'), cell: (r) => <Level level={r.level} /> },
            ]}
          />
          <p class="note">{t('dash.ps.unitNote')}</p>
        </Card>
        <Card title={t('dash.ps.wards')} csv="psWards">
          <Table
            testId="table-ps-wards"
            rows={(d.psWards?.items ?? []).filter(active)}
            empty={t('dash.ps.empty')}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.col.district'), cell: name },
              ...dossierCols(l),
            ]}
          />
          <p class="note">{t('dash.ps.unitNote')}</p>
        </Card>
      </div>
    </>
  );
}
