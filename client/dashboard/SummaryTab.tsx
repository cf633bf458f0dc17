// The summary tab: the headline of every service for the leaders. The city's operations (traffic,
// incidents, alarms) as the traffic tab computes them, and the province's services as their tiles.
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import type { AlarmHealthKpi, Kpi } from '#contract/dashboardApi.ts';
import type { ServiceKpi, ServiceTile } from '#contract/servicesApi.ts';
import { formatAgo, formatIndicator, type Lang } from '../i18n/format.ts';
import { t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { TabData } from './api.ts';
import { Card, CsvLink, KpiTile, Level, ServiceKpiTile } from './parts.tsx';
import { indicatorText, spanText } from './serviceFormat.ts';
import { goTab, indicatorName, loadedAt, view } from './state.ts';
import { type TabKey, viewToSearch } from './view.ts';

/** The tab of each service. */
const SERVICE_TAB: Record<ServiceTile['service'], TabKey> = {
  public_services: 'public-services',
  online_information: 'online-information',
  socio_economic: 'socio-economic',
  information_security: 'security',
};

/** A link to another tab: a real link (open in a new window, copy), followed in place on a plain click. */
function TabLink(props: { tab: TabKey; testId: string }) {
  const href = `?${viewToSearch({ ...view.value, indicators: undefined, tab: props.tab })}`;
  const go = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    goTab(props.tab);
    window.scrollTo(0, 0);
  };
  return (
    <a class="tab-link" href={href} onClick={go} data-testid={props.testId}>
      {t('dash.sum.details')} →
    </a>
  );
}

/** The KPI words of each service's tab, for the period's figures under its tile. */
const KPI_PREFIX: Partial<Record<ServiceTile['service'], 'ps' | 'oi'>> = {
  public_services: 'ps',
  online_information: 'oi',
};

function ServiceTileCard(props: { tile: ServiceTile; kpis: ServiceKpi[]; l: Lang }) {
  const { tile: s, l } = props;
  const prefix = KPI_PREFIX[s.service];
  const v = formatIndicator(l, s.value, s.unit);
  return (
    <section class={`card svc-tile svc-${s.level}`} data-testid={`tile-${s.service}`}>
      <header class="card-head">
        <h3>{t(`domain.${s.service}` as MessageKey)}</h3>
        <TabLink tab={SERVICE_TAB[s.service]} testId={`open-${s.service}`} />
      </header>
      <div class="kpi-label">
        {t(`dash.sum.tile.${s.key}` as MessageKey)} ·{' '}
        <span data-testid={`span-${s.service}`}>{spanText(l, s.span, s.periodStart)}</span>
      </div>
      <div class="kpi-value svc-value">
        <span data-testid={`tile-value-${s.service}`}>{v.num}</span>
        {s.value !== null && <span class="kpi-unit">{v.unit}</span>}
        {s.level !== 'none' && <Level level={s.level} testId={`tile-level-${s.service}`} />}
      </div>
      {s.value === null ? (
        <div class="muted">{t('dash.sum.noValue')}</div>
      ) : (
        s.previous !== null && (
          <div class="muted">{t('dash.sum.previous', { value: indicatorText(l, s.previous, s.unit) })}</div>
        )
      )}
      {s.secondary && (
        <div class="svc-secondary" data-testid={`tile-secondary-${s.service}`}>
          {t(`dash.sum.sec.${s.secondary.key}` as MessageKey)}:{' '}
          <b>{indicatorText(l, s.secondary.value, s.secondary.unit)}</b>
        </div>
      )}
      {prefix && props.kpis.length > 0 && (
        <div class="svc-period" data-testid={`tile-period-${s.service}`}>
          <div class="sub-title">{t('dash.sum.inPeriod')}</div>
          <div class={`kpis small k${props.kpis.length}`}>
            {props.kpis.map((k) => (
              <ServiceKpiTile key={k.key} k={k} l={l} prefix={prefix} name={(id) => indicatorName(id, l)} />
            ))}
          </div>
        </div>
      )}
      <div class="svc-age muted">
        {/* a figure of a whole period (a quarter's GRDP) is dated at its start: its age would read as staleness */}
        {s.asOf !== null &&
          s.asOf !== s.periodStart &&
          t('dash.sum.asOf', { ago: formatAgo(l, Math.max(0, loadedAt.value - s.asOf)) })}
      </div>
    </section>
  );
}

export function SummaryTab(props: { d: TabData; l: Lang }) {
  const { d, l } = props;
  const kpis = useMemo(
    () =>
      new Map<string, Kpi | AlarmHealthKpi>([
        ...(d.summary?.items ?? []).map((k) => [k.key, k] as const),
        ...(d.alarmHealth?.items ?? []).map((k) => [k.key, k] as const),
      ]),
    [d],
  );
  const tiles = d.servicesSummary?.tiles ?? [];
  return (
    <>
      <h2 class="section section-first">
        {t('dash.sum.cityOps')} <TabLink tab="traffic" testId="open-traffic" />
      </h2>
      <div class="grid g-summary">
        <Card title={t('dash.sec.traffic')} csv="summary" testId="sum-traffic">
          <div class="kpis k1">
            <KpiTile k={kpis.get('peakSpeed')} l={l} big />
            <KpiTile k={kpis.get('congestionShare')} l={l} />
          </div>
        </Card>
        <Card title={t('dash.sec.incidents')} csv="summary" testId="sum-incidents">
          <div class="kpis k2">
            <KpiTile k={kpis.get('received')} l={l} big />
            <KpiTile k={kpis.get('onTimeRate')} l={l} big />
            <KpiTile k={kpis.get('open')} l={l} />
            <KpiTile k={kpis.get('resolveMedian')} l={l} />
          </div>
        </Card>
        <Card title={t('dash.sec.cameras')} csv="summary" testId="sum-cameras">
          <div class="kpis k1">
            <KpiTile k={kpis.get('cameraAvailability')} l={l} big />
          </div>
        </Card>
        <Card title={t('dash.sec.alarms')} csv="alarmHealth" testId="sum-alarms">
          <div class="kpis k1">
            <KpiTile k={kpis.get('alarmRate')} l={l} big />
            <KpiTile k={kpis.get('alarmsRaised')} l={l} />
          </div>
        </Card>
      </div>
      <h2 class="section">
        {t('dash.sum.services')} <CsvLink name="servicesSummary" />
      </h2>
      <div class="grid g3 svc-tiles" data-testid="service-tiles">
        {tiles.map((s) => (
          <ServiceTileCard
            key={s.service}
            tile={s}
            kpis={(d.servicesSummary?.items ?? []).filter((k) => k.group === s.service)}
            l={l}
          />
        ))}
      </div>
      {tiles.length === 0 && <div class="empty-state">{t('dash.noData')}</div>}
      <p class="note">{t('dash.sum.note')}</p>
    </>
  );
}
