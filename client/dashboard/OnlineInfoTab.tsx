// The online-information tab (giám sát thông tin trên mạng): mentions against the previous period, by
// sentiment over time, the hot topics against their usual, and the sources.
import { useMemo } from 'preact/hooks';
import type { MentionFigures } from '#contract/servicesApi.ts';
import { formatNumber, type Lang } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { TabData } from './api.ts';
import { Chart } from './Chart.tsx';
import { Card, Level, ServiceKpiTile, Table } from './parts.tsx';
import { mentionsOption } from './serviceChartOptions.ts';
import { percentText, ratioText } from './serviceFormat.ts';
import { breakdownName, indicatorName } from './state.ts';

export function OnlineInfoTab(props: { d: TabData; l: Lang }) {
  const { d, l } = props;
  const kpis = d.oiKpis?.items ?? [];
  const buckets = d.oiSeries?.items ?? [];
  const days = d.oiSeries?.period.days ?? 1;
  const chart = useMemo(() => mentionsOption(l, buckets, days), [buckets, days, l]);
  const hourly = buckets[0]?.bucket === '1h' || (buckets.length === 0 && days <= 2);
  const any = buckets.some((b) => b.positive + b.neutral + b.negative > 0);
  const n = (v: number) => formatNumber(l, v);
  const name = breakdownName.value;
  const counts = [
    { head: t('dash.oi.col.mentions'), cell: (r: MentionFigures) => <b>{n(r.mentions)}</b>, num: true },
    { head: t('dash.oi.col.negative'), cell: (r: MentionFigures) => n(r.negative), num: true },
    {
      head: t('dash.oi.col.negativeShare'),
      cell: (r: MentionFigures) => percentText(l, r.negativeShare),
      num: true,
    },
    { head: t('dash.oi.col.previous'), cell: (r: MentionFigures) => n(r.previous), num: true },
  ];
  return (
    <>
      <Card title={t('dash.oi.kpiTitle')} csv="oiKpis" testId="oi-kpis">
        <div class={`kpis svc-kpis k${Math.min(Math.max(kpis.length, 1), 8)}`}>
          {kpis.map((k) => (
            <ServiceKpiTile
              key={k.key}
              k={k}
              l={l}
              prefix="oi"
              big={k.key === 'mentions' || k.key === 'negativeShare'}
              name={(id) => indicatorName(id, l)}
            />
          ))}
        </div>
        <p class="note">{t('dash.svc.inPeriod')}.</p>
      </Card>
      <Card title={t(hourly ? 'dash.oi.chartHourly' : 'dash.oi.chartDaily')} csv="oiSeries">
        {any ? (
          <Chart option={chart} lang={l} height={300} testId="chart-mentions" />
        ) : (
          <div class="empty-state" data-testid="oi-empty">
            {t('dash.oi.empty')}
          </div>
        )}
      </Card>
      <div class="grid g-oi">
        <Card title={t('dash.oi.topics')} csv="oiTopics">
          <Table
            testId="table-topics"
            rows={d.oiTopics?.items ?? []}
            empty={t('dash.oi.empty')}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.oi.col.topic'), cell: (r) => name('topic', r.id, l) },
              ...counts,
              { head: t('dash.oi.col.baseline'), cell: (r) => ratioText(l, r.baselineRatio), num: true },
              { head: t('dash.svc.level'), cell: (r) => <Level level={r.level} /> },
            ]}
          />
          <p class="note">{t('dash.oi.note')}</p>
        </Card>
        <Card title={t('dash.oi.sources')} csv="oiSources">
          <Table
            testId="table-sources"
            rows={d.oiSources?.items ?? []}
            empty={t('dash.oi.empty')}
            cols={[
              { head: t('dash.col.rank'), cell: (r) => r.rank, num: true },
              { head: t('dash.oi.col.source'), cell: (r) => name('source', r.id, l) },
              ...counts,
            ]}
          />
        </Card>
      </div>
    </>
  );
}
