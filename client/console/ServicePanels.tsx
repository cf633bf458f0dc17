// The panel a province tile opens in the side panel (issue 14): the service's headline, a sparkline and its
// list, from the dashboard endpoints. Names of agencies and indicators come from the catalogue, in the
// reader's language; a 403 says the account may not see them rather than "try again".
import { effect } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { localDate } from '#contract/cityTime.ts';
import type { IndicatorDomain } from '#contract/indicatorVocab.ts';
import { SENTIMENTS } from '#contract/indicatorVocab.ts';
import type {
  DossierDay,
  DossierFigures,
  MentionBucket,
  MentionFigures,
  ServiceTile,
  SocioEconomicFigure,
} from '#contract/servicesApi.ts';
import { formatIndicator, formatPct, formatPeriodLabel, indicatorPhrase } from '../i18n/format.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import { ApiRequestError, api } from './api.ts';
import { ctx } from './ctx.ts';
import { breakdownName } from './indicatorNames.ts';
import { ageWords, LevelGlyph, LevelMark, secondaryText, spanWords } from './ProvinceRow.tsx';
import { provinceTiles } from './provinceStore.ts';
import {
  onTimeRange,
  PANEL_POLL_MS,
  panelPeriods,
  rankAgencies,
  rankTopics,
  sparkPath,
  stackMentions,
  tileFreshness,
} from './services.ts';
import { clock, conn } from './store.ts';

type Loaded<T> = { data: T | null; failure: 'forbidden' | 'error' | null };

/**
 * Loads `load` now, every PANEL_POLL_MS and when the connection is back; keeps the last answer through a
 * failed reload. `load` gets the server's now, so "today" is the city's today.
 */
function usePanelData<T>(key: string, load: (now: number, signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, failure: null });
  useEffect(() => {
    const c = ctx();
    const ac = new AbortController();
    const run = () =>
      load(c.live.serverNow(), ac.signal)
        .then((data) => setState({ data, failure: null }))
        .catch((err: unknown) => {
          if (ac.signal.aborted) return;
          const failure = err instanceof ApiRequestError && err.status === 403 ? 'forbidden' : 'error';
          setState((s) => ({ data: s.data, failure }));
        });
    setState({ data: null, failure: null });
    run();
    const timer = setInterval(run, PANEL_POLL_MS);
    let was = conn.peek();
    const stop = effect(() => {
      const s = conn.value;
      if (s === 'live' && was !== 'live') run();
      was = s;
    });
    return () => {
      ac.abort();
      clearInterval(timer);
      stop();
    };
    // `load` is a new closure each render: `key` names what it loads
  }, [key]);
  return state;
}

/** What a list says instead of rows: loading, refused, failed or empty. */
function Status({ loaded, empty }: { loaded: Loaded<unknown>; empty: boolean }) {
  if (loaded.failure === 'forbidden')
    return (
      <div class="prov-msg" data-testid="service-forbidden">
        {t('prov.forbidden')}
      </div>
    );
  if (loaded.data === null)
    return <div class="muted">{loaded.failure ? t('prov.loadError') : t('panel.loading')}</div>;
  if (empty) return <div class="muted">{t('prov.noRows')}</div>;
  if (loaded.failure) return <div class="prov-msg">{t('prov.loadError')}</div>;
  return null;
}

const name = (x: { nameVi: string; nameEn: string }) => (lang.value === 'en' ? x.nameEn : x.nameVi);

/** The side panel of one service. */
export function ServicePanel({ service }: { service: IndicatorDomain }) {
  lang.value;
  return (
    <div class="side-body service-body">
      <h2 class="side-title" data-testid="panel-name">
        {t(`domain.${service}`)}
      </h2>
      <Headline service={service} />
      {service === 'public_services' && <PublicServices />}
      {service === 'online_information' && <OnlineInformation />}
      {service === 'socio_economic' && <SocioEconomic />}
    </div>
  );
}

/** The tile's figure again, large, with what it covers, its level and age. */
function Headline({ service }: { service: IndicatorDomain }) {
  clock.value;
  const tile: ServiceTile | undefined = provinceTiles.value.data?.items.find((x) => x.service === service);
  if (!tile) return null;
  const now = ctx().live.serverNow();
  const v = formatIndicator(lang.value, tile.value, tile.unit);
  const fresh = tileFreshness(tile, now);
  const sec = secondaryText(tile);
  const arrow =
    tile.value === null || tile.previous === null || tile.value === tile.previous
      ? ''
      : tile.value > tile.previous
        ? ' ↑'
        : ' ↓';
  return (
    <div class="service-headline" data-testid="service-headline">
      <div class="big-reading">
        <span data-testid="service-headline-value">{v.num}</span>
        {tile.value !== null && <span class="big-unit">{v.unit}</span>}
        {arrow && <span class="big-unit">{arrow}</span>}
      </div>
      <div class="side-subtitle">
        {t(`prov.key.${tile.key}`)} · {spanWords(tile, now)}
        {sec && ` · ${sec}`}
      </div>
      <div class="service-level">
        {fresh === 'fresh' && tile.level !== 'none' && <LevelMark level={tile.level} />}
        <span class={fresh === 'stale' ? 'prov-stale' : 'muted'}>{ageWords(tile, now)}</span>
      </div>
    </div>
  );
}

const W = 400;
const H = 90;

/** Day marks under a sparkline: its first and last local day, with the last day's figure. */
function DayAxis({ t0, t1, last }: { t0: number; t1: number; last?: string }) {
  // 29/11: the day and month as both languages write them on a wall
  const day = (ms: number) => localDate(ms).slice(5).split('-').reverse().join('/');
  return (
    <div class="spark-axis">
      <span>{day(t0)}</span>
      <span>
        {day(t1)}
        {last && <b class="spark-last"> {last}</b>}
      </span>
    </div>
  );
}

function PublicServices() {
  const series = usePanelData('ps-series', (now, s) => api.dossierSeries(panelPeriods(now).week, s));
  const agencies = usePanelData('ps-agencies', (now, s) => api.agencies(panelPeriods(now).month, s));
  const f = fmt.value;
  const ranked = agencies.data ? rankAgencies(agencies.data.items) : [];
  const idle = agencies.data ? agencies.data.items.length - ranked.length : 0;
  return (
    <>
      <div class="side-section">
        <div class="section-title">{t('prov.ps.trend')}</div>
        <Status loaded={series} empty={!series.data?.items.some((d) => d.onTimeRate !== null)} />
        {series.data && <OnTimeSpark days={series.data.items} />}
      </div>
      <div class="side-section">
        <div class="section-title">{t('prov.ps.ranking')}</div>
        <Status loaded={agencies} empty={ranked.length === 0} />
        {ranked.length > 0 && (
          <table class="rank" data-testid="agency-ranking">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('prov.col.agency')}</th>
                <th class="num">{t('prov.col.onTime')}</th>
                <th class="num">{t('prov.col.overdue')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {ranked.map((a: DossierFigures, i) => (
                <tr key={a.id} data-testid="agency-row" data-id={a.id} class={`lvl-${a.level}`}>
                  <td class="muted">{i + 1}</td>
                  <td class="rank-name">{name(a)}</td>
                  <td class="num" data-testid="agency-on-time">
                    {a.onTimeRate === null ? '—' : indicatorPhrase(lang.value, a.onTimeRate, 'percent')}
                  </td>
                  <td class="num" data-testid="agency-overdue">
                    {a.overdueNow === null ? '—' : f.num(a.overdueNow)}
                  </td>
                  <td class="rank-level">
                    <LevelGlyph level={a.level} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {idle > 0 && <div class="muted rank-note">{t('prov.ps.idle', { n: f.num(idle) })}</div>}
      </div>
    </>
  );
}

function OnTimeSpark({ days }: { days: DossierDay[] }) {
  const pts = days.map((d) => ({ t: d.t, v: d.onTimeRate }));
  if (!pts.some((p) => p.v !== null) || days.length < 2) return null;
  const { yMin, yMax } = onTimeRange(days);
  const t0 = days[0].t;
  const t1 = days[days.length - 1].t;
  // an inset so the first and last days' dots are drawn whole
  const pad = 6;
  const box = { w: W - 2 * pad, h: H - 2 * pad, t0, t1, yMin, yMax };
  const s = sparkPath(pts, box);
  const x = (tt: number) => pad + ((tt - t0) / Math.max(1, t1 - t0)) * box.w;
  const y = (v: number) => pad + box.h - ((v - yMin) / (yMax - yMin)) * box.h;
  const last = [...pts].reverse().find((p) => p.v !== null);
  return (
    <div class="spark-box" data-testid="on-time-spark">
      <span class="spark-y spark-y-top">{formatPct(lang.value, yMax)}</span>
      <span class="spark-y spark-y-bottom">{formatPct(lang.value, yMin)}</span>
      <svg
        class="spark"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={t('prov.ps.trend')}
      >
        <path d={s.d} class="spark-line" transform={`translate(${pad} ${pad})`} />
        {pts.map((p) =>
          p.v === null ? null : <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r="4" class="spark-dot" />,
        )}
      </svg>
      <DayAxis
        t0={t0}
        t1={t1}
        last={last?.v != null ? indicatorPhrase(lang.value, last.v, 'percent') : undefined}
      />
    </div>
  );
}

const SENTIMENT_CLASS = { negative: 'sent-neg', neutral: 'sent-neu', positive: 'sent-pos' } as const;

function OnlineInformation() {
  const series = usePanelData('oi-series', (now, s) => api.mentionSeries(panelPeriods(now).today, s));
  const topics = usePanelData('oi-topics', (now, s) => api.topics(panelPeriods(now).today, s));
  const f = fmt.value;
  return (
    <>
      <div class="side-section">
        <div class="section-title">{t('prov.oi.trend')}</div>
        <Status loaded={series} empty={!series.data?.items.length} />
        {series.data && series.data.items.length > 0 && <MentionSpark buckets={series.data.items} />}
      </div>
      <div class="side-section">
        <div class="section-title">{t('prov.oi.topics')}</div>
        <Status loaded={topics} empty={topics.data?.items.length === 0} />
        {topics.data && topics.data.items.length > 0 && (
          <table class="rank" data-testid="topic-ranking">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('prov.col.topic')}</th>
                <th class="num">{t('prov.col.mentions')}</th>
                <th class="num">{t('prov.col.negative')}</th>
                <th class="num">{t('prov.col.baseline')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rankTopics(topics.data.items)
                .slice(0, 12)
                .map((m: MentionFigures, i) => (
                  <tr key={m.id} data-testid="topic-row" data-id={m.id} class={`lvl-${m.level}`}>
                    <td class="muted">{i + 1}</td>
                    <td class="rank-name">{breakdownName('topic', m.id, lang.value)}</td>
                    <td class="num">{f.num(m.mentions)}</td>
                    <td class="num" data-testid="topic-negative">
                      {m.negativeShare === null
                        ? '—'
                        : `${formatIndicator(lang.value, m.negativeShare, 'percent').num}%`}
                    </td>
                    <td class="num">
                      {m.baselineRatio === null ? '—' : t('prov.times', { v: f.num(m.baselineRatio, 1) })}
                    </td>
                    <td class="rank-level">
                      <LevelGlyph level={m.level} />
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

/** Mentions by hour as stacked bars, negative at the bottom: an hour with a spike stands out as one bar. */
function MentionSpark({ buckets }: { buckets: MentionBucket[] }) {
  const s = stackMentions(buckets);
  const f = fmt.value;
  if (s.t.length === 0) return null;
  const t0 = s.t[0];
  const step = buckets[0]?.bucket === '1d' ? 86_400_000 : 3_600_000;
  // the whole day's hours, so the bars keep their width as the day goes on
  const slots = Math.max(
    s.t.length,
    Math.round((s.t[s.t.length - 1] - t0) / step) + 1,
    step === 3_600_000 ? 24 : 7,
  );
  const bw = W / slots;
  const max = Math.max(1, s.max);
  const y = (v: number) => H - (v / max) * H;
  const bars = (upper: number[], lower: number[] | null, cls: string) =>
    s.t.map((tt, i) => {
      const top = y(upper[i]);
      const bottom = y(lower ? lower[i] : 0);
      if (bottom - top <= 0) return null;
      const xi = ((tt - t0) / step) * bw;
      return (
        <rect
          key={`${cls}${tt}`}
          x={xi + 1}
          width={Math.max(1, bw - 2)}
          y={top}
          height={bottom - top}
          class={cls}
        />
      );
    });
  const time = (ms: number) => f.time(ms).slice(0, 5);
  return (
    <div class="spark-box" data-testid="mention-spark">
      <span class="spark-y spark-y-top">{f.num(s.max)}</span>
      <svg
        class="spark"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={t('prov.oi.trend')}
      >
        {bars(s.negative, null, 'sent-neg')}
        {bars(s.neutral, s.negative, 'sent-neu')}
        {bars(s.positive, s.neutral, 'sent-pos')}
      </svg>
      <div class="spark-axis">
        <span>{time(t0)}</span>
        <span>{time(t0 + (slots - 1) * step)}</span>
      </div>
      <ul class="sent-legend">
        {[...SENTIMENTS].reverse().map((k) => (
          <li key={k}>
            <span class={`sent-sw ${SENTIMENT_CLASS[k]}`} />
            {t(`sentiment.${k}`)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SocioEconomic() {
  const list = usePanelData('se-indicators', (_now, s) => api.socioEconomic(s));
  const l = lang.value;
  const signed = (v: number) =>
    `${v > 0 ? '+' : v < 0 ? '−' : ''}${formatIndicator(l, Math.abs(v), 'percent').num}%`;
  return (
    <div class="side-section">
      <div class="section-title">{t('prov.se.list')}</div>
      <Status loaded={list} empty={list.data?.items.length === 0} />
      {list.data && list.data.items.length > 0 && (
        <ul class="se-list" data-testid="se-list">
          {list.data.items.map((x: SocioEconomicFigure) => {
            const v = formatIndicator(l, x.latest, x.unit);
            const plan =
              x.planShare !== null
                ? t('prov.se.planShare', { v: indicatorPhrase(l, x.planShare, 'percent') })
                : x.plan !== null
                  ? t('prov.se.plan', {
                      v: indicatorPhrase(l, x.plan, x.unit),
                    })
                  : t('prov.se.noPlan');
            return (
              <li
                key={x.indicatorId}
                data-testid="se-row"
                data-id={x.indicatorId}
                class={`se-row lvl-${x.level}`}
              >
                <div class="se-name">{name(x)}</div>
                <div class="se-figures">
                  {x.latest === null ? (
                    <span class="muted" data-testid="se-latest">
                      {t('prov.missing')}
                    </span>
                  ) : (
                    <span class="se-value" data-testid="se-latest">
                      {v.num} <small>{v.unit}</small>
                    </span>
                  )}
                  {x.latestPeriod && <span class="muted">{formatPeriodLabel(l, x.latestPeriod)}</span>}
                  <LevelGlyph level={x.level} />
                </div>
                <div class="se-sub">
                  {x.yearOnYear !== null && (
                    <span data-testid="se-yoy">{t('prov.se.yoy', { v: signed(x.yearOnYear) })}</span>
                  )}
                  <span data-testid="se-plan">{plan}</span>
                  {x.planShare !== null && (
                    <span class="se-bar" aria-hidden="true">
                      <span style={{ width: `${Math.min(100, Math.max(0, x.planShare))}%` }} />
                    </span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
