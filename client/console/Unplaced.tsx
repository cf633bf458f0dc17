import { fmt, t } from '../i18n/i18n.ts';
import { CATEGORY_COLORS, toCss } from '../map/layers/style.ts';
import { CategoryIcon } from '../shared/CategoryIcon.tsx';
import { ctx } from './ctx.ts';
import { clock } from './store.ts';
import { cancelPlacing, placeAt, placeError, placing, startPlacing, unplaced } from './unplacedStore.ts';

/** The queue's "Unplaced" block: Open311 reports with an address only, each with a button to place it. */
export function UnplacedBlock() {
  const items = unplaced.value;
  if (items.length === 0) return null;
  clock.value;
  const f = fmt.value;
  const now = ctx().live.serverNow();
  const current = placing.value;
  return (
    <section class="unplaced" data-testid="unplaced" aria-labelledby="unplaced-title">
      <h2 class="unplaced-title" id="unplaced-title">
        {t('unplaced.title')} <span class="queue-count">{f.num(items.length)}</span>
      </h2>
      <div class="unplaced-hint">{t('unplaced.hint')}</div>
      <ul class="unplaced-list">
        {items.map((u) => (
          <li
            key={u.id}
            class={`unplaced-row${current?.id === u.id ? ' active' : ''}`}
            data-testid="unplaced-item"
            data-id={u.id}
          >
            <span
              class="queue-icon"
              style={{ background: toCss(CATEGORY_COLORS[u.category] ?? CATEGORY_COLORS.other) }}
            >
              <CategoryIcon category={u.category} size={20} />
            </span>
            <span class="queue-main">
              <span class="queue-title">
                <span class="queue-cat">{t(`cat.${u.category}`)}</span>
              </span>
              <span class="unplaced-address" data-testid="unplaced-address">
                {u.address ?? t('unplaced.addressId', { id: u.addressId ?? '—' })}
              </span>
              {u.description && <span class="queue-desc">{u.description}</span>}
              <span class="queue-age">{f.ago(Math.max(0, now - u.ts))}</span>
            </span>
            <button
              type="button"
              class={`btn btn-small${current?.id === u.id ? ' active' : ''}`}
              data-testid="unplaced-place"
              aria-pressed={current?.id === u.id}
              onClick={() => (current?.id === u.id ? cancelPlacing() : startPlacing(u))}
            >
              {t('unplaced.place')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Over the map while placing: what is being placed, how, and how to stop. */
export function PlacingBanner() {
  const report = placing.value;
  const err = placeError.value;
  if (!report && !err) return null;
  const centre = () => {
    const c = ctx().view.map.getCenter();
    void placeAt(c.lat, c.lng);
  };
  return (
    <div class="placing-banner" data-testid="placing-banner" role="status">
      {report && (
        <>
          <div class="placing-what">
            {t('unplaced.placing', {
              what: `${t(`cat.${report.category}`)} · ${report.address ?? report.addressId ?? ''}`,
            })}
          </div>
          <div class="placing-how">{t('unplaced.how')}</div>
        </>
      )}
      {err && (
        <div class="placing-error" data-testid="placing-error">
          {t(err)}
        </div>
      )}
      <div class="placing-actions">
        {report && (
          <button type="button" class="btn" onClick={centre} data-testid="placing-centre">
            {t('unplaced.centre')}
          </button>
        )}
        <button
          type="button"
          class="btn"
          onClick={() => {
            if (!cancelPlacing()) placeError.value = null;
          }}
          data-testid="placing-cancel"
        >
          {report ? t('unplaced.cancel') : t('panel.close')}
        </button>
      </div>
    </div>
  );
}
