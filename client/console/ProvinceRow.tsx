import type { IndicatorDomain } from '#contract/indicatorVocab.ts';
import type { ServiceLevel, ServiceTile } from '#contract/servicesApi.ts';
import { formatIndicator, formatPeriodLabel, indicatorPhrase } from '../i18n/format.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import { ctx } from './ctx.ts';
import { provinceTiles } from './provinceStore.ts';
import {
  LEVEL_GLYPHS,
  noServiceData,
  orderTiles,
  shownLevel,
  spanText,
  TILES_POLL_MS,
  tileAge,
  tileFreshness,
} from './services.ts';
import { clock, selection } from './store.ts';

/** The figure each service's tile stands for, also when the answer left the service out. */
const HEADLINE: Partial<Record<IndicatorDomain, ServiceTile['key']>> = {
  public_services: 'onTimeRate',
  online_information: 'negativeShare',
  socio_economic: 'grdpGrowth',
};

/** Opens a service's panel in the side panel, or closes it when it is the one open. */
export function toggleService(service: IndicatorDomain): void {
  const sel = selection.value;
  selection.value = sel?.kind === 'service' && sel.id === service ? null : { kind: 'service', id: service };
}

/** A level as a shape and a word beside its colour: a wall read from 3 m, and by the colour-blind. */
export function LevelMark({ level, testid }: { level: ServiceLevel; testid?: string }) {
  return (
    <span class={`lvl lvl-${level}`} data-testid={testid} data-level={level}>
      <span class="lvl-glyph" aria-hidden="true">
        {LEVEL_GLYPHS[level]}
      </span>
      {t(`serviceLevel.${level}`)}
    </span>
  );
}

/** A level's shape alone, for a table's narrow column; its word for the eye's tooltip and the reader. */
export function LevelGlyph({ level }: { level: ServiceLevel }) {
  return (
    <span
      class={`lvl lvl-${level}`}
      role="img"
      aria-label={t(`serviceLevel.${level}`)}
      title={t(`serviceLevel.${level}`)}
    >
      <span class="lvl-glyph">{LEVEL_GLYPHS[level]}</span>
    </span>
  );
}

/** The time span a headline covers, in words: "tháng này", "quý 3/2026". */
export function spanWords(tile: ServiceTile, now: number): string {
  const s = spanText(tile.span, tile.periodStart, now);
  return 'key' in s ? t(`prov.span.${s.key}`) : formatPeriodLabel(lang.value, s.label);
}

/** How old a tile's figure is, in words; a stale one says so. */
export function ageWords(tile: ServiceTile | null, now: number): string {
  const a = tileAge(tile, now);
  const stale = tileFreshness(tile, now) === 'stale';
  let when: string;
  if (a.kind === 'none') return t('prov.missing');
  if (a.kind === 'period') {
    if (!stale) return t('prov.quarterly');
    when = formatPeriodLabel(lang.value, a.label);
  } else when = fmt.value.ago(a.ms);
  return stale ? t('prov.stale', { when }) : when;
}

/** The smaller figure under a headline: overdue dossiers now, mentions today, the quarter's plan. */
export function secondaryText(tile: ServiceTile): string | null {
  const s = tile.secondary;
  if (!s || s.value === null) return null;
  return t(`prov.sec.${s.key}`, { v: indicatorPhrase(lang.value, s.value, s.unit) });
}

/** The province row: one tile per service of the indicator feed, beside the map (issue 14). */
export function ProvinceRow() {
  const st = provinceTiles.value;
  clock.value;
  lang.value;
  const c = ctx();
  const now = c.live.serverNow();
  const f = fmt.value;
  // a missed poll or two is no news; after that the row says its figures are not moving
  const notUpdating =
    st.data !== null && st.failure !== null && Date.now() - st.fetchedAt > 2 * TILES_POLL_MS;
  let body: preact.ComponentChildren;
  if (st.failure === 'forbidden')
    body = (
      <div class="prov-empty" data-testid="province-forbidden">
        {t('prov.forbidden')}
      </div>
    );
  else if (st.data === null)
    body = <div class="prov-empty muted">{st.failure ? t('prov.loadError') : t('panel.loading')}</div>;
  else if (noServiceData(st.data.items))
    body = (
      <div class="prov-empty" data-testid="province-empty">
        {t('prov.empty')}
      </div>
    );
  else
    body = (
      <div class="prov-tiles">
        {orderTiles(st.data.items).map(({ service, tile }) => (
          <ProvinceTile key={service} service={service} tile={tile} now={now} />
        ))}
      </div>
    );
  return (
    <section class="prov" data-testid="province-row">
      <div class="prov-head">
        <span class="panel-title">{t('prov.title')}</span>
        {notUpdating && (
          <span class="prov-note" data-testid="province-not-updating">
            {t('prov.notUpdating', { time: f.time(st.fetchedAt) })}
          </span>
        )}
      </div>
      {body}
    </section>
  );
}

function ProvinceTile({
  service,
  tile,
  now,
}: {
  service: IndicatorDomain;
  tile: ServiceTile | null;
  now: number;
}) {
  const fresh = tileFreshness(tile, now);
  const level = shownLevel(tile, now);
  const v = tile ? formatIndicator(lang.value, tile.value, tile.unit) : { num: '—', unit: '' };
  const sel = selection.value;
  const open = sel?.kind === 'service' && sel.id === service;
  const sec = tile ? secondaryText(tile) : null;
  return (
    <button
      type="button"
      class={`ptile lvl-${level} ${fresh}${open ? ' open' : ''}`}
      data-testid={`prov-${service}`}
      data-freshness={fresh}
      data-level={level}
      aria-pressed={open}
      title={t('prov.open')}
      onClick={() => toggleService(service)}
    >
      <span class="ptile-name">{t(`domain.${service}`)}</span>
      <span class="ptile-value">
        <span data-testid={`prov-${service}-value`}>{v.num}</span>
        {tile && tile.value !== null && <span class="ptile-unit">{v.unit}</span>}
      </span>
      <span class="ptile-what">
        {t(`prov.key.${tile?.key ?? HEADLINE[service] ?? 'onTimeRate'}`)}
        {tile && ` · ${spanWords(tile, now)}`}
      </span>
      {sec && (
        <span class="ptile-sec" data-testid={`prov-${service}-secondary`}>
          {sec}
        </span>
      )}
      {/* no thresholds: nothing to say beyond the grey edge */}
      {level !== 'none' && <LevelMark level={level} testid={`prov-${service}-level`} />}
      <span class="ptile-age" data-testid={`prov-${service}-age`}>
        {ageWords(tile, now)}
      </span>
    </button>
  );
}
