import { distanceM } from '#contract/geo.ts';
import { type RankedUnit, UNIT_STATUSES, type UnitStatus, unitStale } from '#contract/units.ts';
import { fmt, t } from '../i18n/i18n.ts';
import { CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { UNIT_COLORS, UNIT_GLYPHS, UNIT_RADIUS, UNIT_STALE_COLOR } from '../map/layers/unitLayer.ts';
import { ctx } from './ctx.ts';
import { openIncident } from './Feed.tsx';
import { Row } from './Row.tsx';
import { clock, liveTick } from './store.ts';

/** Metres as the panels write them: `850 m`, `1,2 km`. */
export function formatDistance(m: number): string {
  const f = fmt.value;
  return m < 1000 ? `${f.num(Math.round(m))} m` : `${f.num(m / 1000, 1)} km`;
}

/** A unit's status as the map draws it: the same colour, glyph and outline, and its name in words. */
export function UnitTag({ status, stale, label }: { status: UnitStatus; stale?: boolean; label?: string }) {
  const bg = stale ? UNIT_STALE_COLOR : UNIT_COLORS[status];
  return (
    <span
      class={`unit-tag unit-${status}${stale ? ' stale' : ''}`}
      style={{
        background: toCss(bg),
        borderRadius: `${UNIT_RADIUS[status]}px`,
        // dark figures on every status colour (white on the blue and violet is under 4.5:1)
        color: stale ? '#fff' : '#0a0e16',
      }}
      data-status={status}
      data-stale={stale ? 'true' : 'false'}
    >
      {UNIT_GLYPHS[status]} {label ?? t(`units.status.${status}`)}
    </span>
  );
}

/** The units layer's key: the three statuses, grey when stale, and how many are on duty now. */
export function UnitLegend() {
  liveTick.value;
  const now = clock.value;
  const c = ctx();
  const f = fmt.value;
  let n = 0;
  let stale = 0;
  for (const u of c.state.units.values()) {
    if (!u.onDuty || u.ts === undefined) continue;
    n++;
    if (unitStale(u, c.live.serverNow() || now)) stale++;
  }
  return (
    <ul class="legend legend-grid" data-testid="legend-units">
      <li class="wide unit-tags">
        {UNIT_STATUSES.map((s) => (
          <UnitTag key={s} status={s} />
        ))}
      </li>
      <li class="wide">
        <UnitTag status="available" stale label={t('units.stale')} />
      </li>
      <li class="wide legend-note">{t('units.legendAge')}</li>
      <li class="wide legend-note" data-testid="units-count">
        {n === 0 ? t('units.empty') : t('units.count', { n: f.num(n), s: f.num(stale) })}
      </li>
    </ul>
  );
}

/** A unit: its name, kind, status, the age of its last position, and the task it is on. */
export function UnitPanel({ id }: { id: string }) {
  liveTick.value;
  clock.value;
  const c = ctx();
  const f = fmt.value;
  const u = c.state.units.get(id);
  if (!u) return <div class="side-body muted">{t('units.gone')}</div>;
  const now = c.live.serverNow();
  const stale = unitStale(u, now);
  const inc = u.incidentId ? c.state.incidents.get(u.incidentId) : undefined;
  return (
    <div class="side-body" data-testid="unit-panel">
      <h2 class="side-title" data-testid="panel-name">
        {u.name}
      </h2>
      <div class="inc-pills">
        <span data-testid="unit-status" data-status={u.status} data-stale={stale ? 'true' : 'false'}>
          <UnitTag status={u.status} stale={stale} />
        </span>
        {stale && (
          <span class="level-pill unit-stale-pill" data-testid="unit-stale">
            {t('units.stale')}
          </span>
        )}
      </div>
      {!u.onDuty && <div class="muted">{t('units.offDuty')}</div>}
      <Row k="units.kind">{t(`units.kind.${u.kind}`)}</Row>
      <Row k="units.position" testid="unit-age">
        {u.ts === undefined ? (
          t('units.noPosition')
        ) : (
          <span>
            {now - u.ts > 43_200_000 ? f.dateTime(u.ts) : f.time(u.ts)}{' '}
            <span class={stale ? 'stale-age' : 'muted'}>({f.ago(Math.max(0, now - u.ts))})</span>
          </span>
        )}
      </Row>
      {u.accuracyM !== undefined && <Row k="units.accuracy">± {f.num(Math.round(u.accuracyM))} m</Row>}
      <div class="side-section">
        <div class="section-title">{t('units.task')}</div>
        {!u.incidentId ? (
          <div class="muted" data-testid="unit-task">
            {t('units.noTask')}
          </div>
        ) : (
          <button
            type="button"
            class="clickable unit-task"
            data-testid="unit-task"
            onClick={() => openIncident(u.incidentId as string)}
          >
            {inc && (
              <span
                class="sw-dot"
                style={{ background: toCss(CATEGORY_COLORS[inc.category] ?? CATEGORY_COLORS.other) }}
              />
            )}
            <span class="ev-kind">
              {inc
                ? t('units.taskAt', {
                    category: t(`cat.${inc.category}`),
                    distance:
                      u.lat !== undefined && u.lon !== undefined
                        ? formatDistance(distanceM([u.lon, u.lat], [inc.lon, inc.lat]))
                        : '—',
                  })
                : u.incidentId}
            </span>
            <span class="muted">· {t('units.openIncident')} ›</span>
          </button>
        )}
      </div>
    </div>
  );
}

/** One line of the assign list: the unit's tag, distance and ETA, marked when busy or stale. */
export function RankedUnitRow({ r, chosen, onPick }: { r: RankedUnit; chosen: boolean; onPick: () => void }) {
  const f = fmt.value;
  const c = ctx();
  const busy = r.unit.status !== 'available';
  return (
    <li>
      <button
        type="button"
        aria-pressed={chosen}
        class={`unit-choice${chosen ? ' chosen' : ''}${busy || r.stale ? ' dim' : ''}`}
        onClick={onPick}
        data-testid="assign-unit"
        data-unit-id={r.unit.id}
        data-distance={r.distanceM}
      >
        <UnitTag status={r.unit.status} stale={r.stale} label={r.unit.name} />
        <span class="unit-dist">{formatDistance(r.distanceM)}</span>
        <span class="unit-eta">{t('assign.eta', { n: f.num(r.etaMin) })}</span>
        {(busy || r.stale) && (
          <span class="unit-marks" data-testid="assign-marks">
            {busy && <span class="unit-mark">{t('assign.busy')}</span>}
            {r.stale && r.unit.ts !== undefined && (
              <span class="unit-mark stale">
                {t('assign.stale', { ago: f.ago(Math.max(0, c.live.serverNow() - r.unit.ts)) })}
              </span>
            )}
          </span>
        )}
      </button>
    </li>
  );
}
