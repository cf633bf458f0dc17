import { useEffect, useState } from 'preact/hooks';
import type { LonLat } from '#contract/assets.ts';
import { actionsFor } from '#contract/incidentLifecycle.ts';
import type { IncidentAction, PhotoRef } from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import { DISPATCH_SPEED_KMH, rankUnits } from '#contract/units.ts';
import { fmt, lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { nearestCameras } from '../map/city.ts';
import { CAMERA_COLORS, CATEGORY_COLORS, cameraStatus, toCss } from '../map/layers/style.ts';
import { CategoryIcon } from '../shared/CategoryIcon.tsx';
import { session } from '../shared/session.ts';
import { historyLines, incidentText } from './alertText.ts';
import { ApiRequestError, api, type IncidentDetail } from './api.ts';
import { ctx } from './ctx.ts';
import { openCamera } from './Feed.tsx';
import { mergeCandidates } from './incidentQueue.ts';
import { Row } from './Row.tsx';
import { clock, liveTick } from './store.ts';
import { replayPlayer } from './TimeBar.tsx';
import { RankedUnitRow } from './UnitPanel.tsx';

/** Operators and admins act on incidents; a leader watching the console sees them read-only (the server refuses too). */
export function mayAct(): boolean {
  const role = session.value?.user.role;
  // until the session is known, show the actions: the server is the guard, this only spares a 403
  return role === undefined || role === 'operator' || role === 'admin';
}

function When({ ts }: { ts: number }) {
  const f = fmt.value;
  const age = ctx().live.serverNow() - ts;
  return (
    <span>
      {age > 43_200_000 ? f.dateTime(ts) : f.time(ts)} <span class="muted">({f.ago(Math.max(0, age))})</span>
    </span>
  );
}

/** An incident: details, photos, the lifecycle buttons valid now, its audit trail, nearby cameras. */
export function IncidentPanel({ id }: { id: string }) {
  liveTick.value;
  clock.value;
  const c = ctx();
  const f = fmt.value;
  const live = c.state.incidents.get(id);
  const [detail, setDetail] = useState<IncidentDetail | 'error' | null>(null);
  const [enlarged, setEnlarged] = useState<PhotoRef | null>(null);
  const updatedAt = live?.updatedAt ?? 0;
  useEffect(() => {
    const ac = new AbortController();
    api
      .incident(id, ac.signal)
      .then(setDetail)
      .catch(() => !ac.signal.aborted && setDetail('error'));
    return () => ac.abort();
  }, [id, updatedAt]);
  useEffect(() => setEnlarged(null), [id]);
  const d = detail && detail !== 'error' ? detail : undefined;
  // the newer of the live item and the last answer (an action's answer arrives before its delta)
  const inc = d && (!live || d.incident.updatedAt >= live.updatedAt) ? { ...live, ...d.incident } : live;
  if (!inc)
    return (
      <div class="side-body muted">{detail === 'error' ? t('panel.loadError') : t('panel.loading')}</div>
    );
  const near =
    d?.nearestCameras ??
    nearestCameras(c.city, [inc.lon, inc.lat], 3).map(({ camera, distanceM }) => ({
      id: camera.id,
      name: camera.name,
      distanceM,
    }));
  const color = toCss(CATEGORY_COLORS[inc.category] ?? CATEGORY_COLORS.other);
  const about = incidentText(lang.value, inc, (cid) => c.city.cameraById.get(cid)?.name);
  return (
    <div class="side-body">
      <div class="inc-head">
        <span class="inc-icon" style={{ background: color }}>
          <CategoryIcon category={inc.category} size={26} />
        </span>
        <div>
          <h2 class="side-title" data-testid="panel-name" style={{ color }}>
            {t(`cat.${inc.category}`)}
          </h2>
          {d?.incident.number && (
            <div class="side-subtitle" data-testid="panel-number">
              {d.incident.number}
            </div>
          )}
        </div>
      </div>
      <div class="inc-pills">
        <span class={`level-pill state-${inc.status}`} data-testid="panel-status">
          {t(`state.${inc.status}`)}
        </span>
        <span class={`level-pill sev-pill sev-${inc.severity}`}>
          {t('panel.severity')} {inc.severity}/5
        </span>
      </div>
      {mayAct() ? (
        <Actions
          id={id}
          status={inc.status}
          at={[inc.lon, inc.lat]}
          onDone={(r) => d && setDetail({ ...d, ...r })}
        />
      ) : (
        <div class="muted read-only" data-testid="panel-read-only">
          {t('panel.readOnly')}
        </div>
      )}
      <Row k="panel.reportedAt">
        <When ts={inc.ts} />
      </Row>
      <Row k="panel.updatedAt">
        <When ts={inc.updatedAt} />
      </Row>
      <Row k="panel.source">{t(`src.${inc.source}`)}</Row>
      {inc.reporter && <Row k="panel.reporter">{inc.reporter}</Row>}
      {inc.assignee && (
        <Row k="panel.assignee" testid="panel-assignee">
          {inc.assignee}
        </Row>
      )}
      {d?.incident.address && <Row k="panel.district">{d.incident.address}</Row>}
      {about && (
        <div class="side-section">
          <div class="section-title">{t('panel.description')}</div>
          <p class="desc" data-testid="panel-description">
            {about}
          </p>
        </div>
      )}
      {d && d.photos.length > 0 && (
        <div class="side-section">
          <div class="section-title">
            {t('panel.photos')} <span class="muted">({d.photos.length})</span>
          </div>
          <div class="photo-grid" data-testid="panel-photos">
            {d.photos.map((p) => (
              <button
                type="button"
                key={p.id}
                class="photo-thumb"
                onClick={() => setEnlarged(p)}
                aria-label={t('panel.enlarge')}
              >
                <img src={p.thumbUrl} alt="" loading="lazy" />
              </button>
            ))}
          </div>
        </div>
      )}
      {!d?.photos.length && inc.photoUrl && (
        <div class="side-section">
          <div class="section-title">{t('panel.photo')}</div>
          <img class="snapshot" src={inc.photoUrl} alt={t('panel.photo')} />
        </div>
      )}
      <div class="side-section">
        <div class="section-title">{t('panel.history')}</div>
        {!d && <div class="muted">{detail === 'error' ? t('panel.loadError') : t('panel.loading')}</div>}
        {d && d.history.length === 0 && <div class="muted">{t('panel.noHistory')}</div>}
        {d && d.history.length > 0 && (
          <ol class="history" data-testid="history">
            {d.history.map((h, i) => (
              <li key={`${h.time}-${h.action}-${i}`}>
                <span class="ev-time">{f.time(h.time)}</span>
                <span class="hist-main">
                  <span class="ev-kind">
                    {h.toStatus && h.action !== 'reported'
                      ? t(`state.${h.toStatus}` as MessageKey)
                      : h.action === 'reported'
                        ? t('state.new')
                        : UNIT_STEPS.has(h.action)
                          ? t(`hist.${h.action}` as MessageKey)
                          : h.action}
                  </span>
                  {h.actor && <span class="muted"> · {h.actor}</span>}
                  {historyLines(lang.value, h).map((line) => (
                    <span key={line} class="hist-note">
                      {line}
                    </span>
                  ))}
                </span>
                <button
                  type="button"
                  class="hist-replay"
                  data-testid="history-replay"
                  title={t('panel.viewAt')}
                  onClick={() => void replayPlayer()?.seek(h.time)}
                >
                  {/* drawn, not an emoji: a wall PC without an emoji font showed a box */}
                  <svg class="hist-replay-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                    <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6" />
                    <path d="M8 4.5V8l2.5 1.8" fill="none" stroke="currentColor" stroke-width="1.6" />
                  </svg>{' '}
                  {t('panel.viewAt')}
                </button>
              </li>
            ))}
          </ol>
        )}
      </div>
      {inc.status !== 'closed' && mayAct() && <MergeSection target={inc} />}
      <div class="side-section">
        <div class="section-title">{t('panel.nearestCameras')}</div>
        <ul class="events">
          {near.slice(0, 3).map((cam) => {
            const st = cameraStatus(c.state.cameras.get(cam.id), c.live.serverNow());
            return (
              <li key={cam.id}>
                <button
                  type="button"
                  class="clickable"
                  onClick={() => openCamera(cam.id)}
                  data-testid="near-camera"
                >
                  <span class="sw-dot" style={{ background: toCss(CAMERA_COLORS[st]) }} />
                  <span class="ev-kind">{cam.name}</span>
                  <span class="muted">
                    {cam.distanceM < 1000
                      ? `${f.num(cam.distanceM)} m`
                      : `${f.num(cam.distanceM / 1000, 1)} km`}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      </div>
      {enlarged && (
        <button type="button" class="lightbox" onClick={() => setEnlarged(null)} data-testid="lightbox">
          <img src={enlarged.url} alt={t('panel.photo')} />
        </button>
      )}
    </div>
  );
}

/** Nearby incidents of the same kind an operator can fold into this one (the server checks the same rule). */
function MergeSection({ target }: { target: IncidentItem }) {
  const c = ctx();
  const f = fmt.value;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const candidates = mergeCandidates(target, c.state.incidents.values()).slice(0, 5);
  if (candidates.length === 0) return null;
  const merge = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await api.mergeIncidents(target.id, { ids: [id] });
    } catch (err) {
      setError(t('merge.failed', { message: (err as Error).message }));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="side-section" data-testid="merge">
      <div class="section-title">{t('merge.title')}</div>
      <div class="muted">{t('merge.hint')}</div>
      <ul class="events">
        {candidates.map((o) => (
          <li key={o.id}>
            <span class="ev-kind">{f.time(o.ts)}</span>
            <span class="muted">
              {' '}
              · {f.num(o.distanceM)} m · {t(`state.${o.status}`)}
            </span>
            {o.description && <span class="hist-note">{o.description}</span>}
            <button
              type="button"
              class="btn"
              disabled={busy !== null}
              onClick={() => void merge(o.id)}
              data-testid="merge-button"
            >
              {t('merge.button')}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <div class="act-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** The steps a unit's field account takes, recorded in the incident's history (issue 15). */
const UNIT_STEPS = new Set(['unit_accept', 'unit_on_scene', 'unit_done']);
/** How many units the assign list shows; the rest are counted under it. */
const ASSIGN_LIST_MAX = 8;

function Actions({
  id,
  status,
  at,
  onDone,
}: {
  id: string;
  status: IncidentDetail['incident']['status'];
  at: LonLat;
  onDone: (r: Pick<IncidentDetail, 'history'> & { incident: IncidentDetail['incident'] }) => void;
}) {
  const [open, setOpen] = useState<IncidentAction | null>(null);
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState('');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setOpen(null);
    setError(null);
    setUnitId(null);
  }, [id, status]);
  const actions = actionsFor(status);
  const c = ctx();
  // the list is read when the form is open: live positions re-rank it as they come
  const ranked = open === 'assign' ? rankUnits(c.state.units.values(), at, c.live.serverNow()) : [];
  // with no unit on duty there is nobody to pick: the operator may still name who is sent
  const byName = open === 'assign' && ranked.length === 0;
  const run = async () => {
    if (!open) return;
    if (open === 'assign' && !byName && !unitId) {
      setError(t('assign.pickNeeded'));
      return;
    }
    if (byName && !assignee.trim()) {
      setError(t('act.assigneeNeeded'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.incidentAction(id, {
        action: open,
        note: note.trim() || undefined,
        assignee: byName ? assignee.trim() : undefined,
        unitId: open === 'assign' && !byName ? (unitId ?? undefined) : undefined,
      });
      onDone(r as Parameters<typeof onDone>[0]);
      setOpen(null);
      setNote('');
    } catch (err) {
      setError(
        err instanceof ApiRequestError && err.status === 409
          ? t('act.illegal', { message: err.message })
          : `${t('act.failed')}: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions" data-testid="actions">
      <div class="action-buttons">
        {actions.map((a) => (
          <button
            type="button"
            key={a}
            class={`btn act-btn act-${a}${open === a ? ' active' : ''}`}
            data-testid={`act-${a}`}
            onClick={() => {
              setOpen(open === a ? null : a);
              setError(null);
            }}
          >
            {t(`act.${a}` as MessageKey)}
          </button>
        ))}
      </div>
      {open && (
        <form
          class="act-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          {open === 'assign' && !byName && (
            <div class="assign-units" data-testid="assign-units">
              <div class="section-title">{t('assign.pick')}</div>
              <ul aria-label={t('assign.pick')}>
                {ranked.slice(0, ASSIGN_LIST_MAX).map((r) => (
                  <RankedUnitRow
                    key={r.unit.id}
                    r={r}
                    chosen={unitId === r.unit.id}
                    onPick={() => {
                      setUnitId(r.unit.id);
                      setError(null);
                    }}
                  />
                ))}
              </ul>
              {ranked.length > ASSIGN_LIST_MAX && (
                <div class="muted">
                  {t('assign.more', { n: fmt.value.num(ranked.length - ASSIGN_LIST_MAX) })}
                </div>
              )}
              <div class="assign-foot" data-testid="assign-foot">
                {t('assign.foot', { speed: `${fmt.value.num(DISPATCH_SPEED_KMH)} ${t('unit.kmh')}` })}
              </div>
            </div>
          )}
          {byName && <div class="muted">{t('assign.none')}</div>}
          {byName && (
            <input
              class="act-input"
              placeholder={t('act.assignee')}
              value={assignee}
              onInput={(e) => setAssignee((e.currentTarget as HTMLInputElement).value)}
              data-testid="act-assignee"
              maxLength={200}
            />
          )}
          <textarea
            class="act-input"
            rows={2}
            placeholder={t('act.note')}
            value={note}
            onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
            data-testid="act-note"
            maxLength={2000}
          />
          <div class="act-row">
            <button type="submit" class="btn act-confirm" disabled={busy} data-testid="act-confirm">
              {t(`act.${open}` as MessageKey)} · {t('act.confirm')}
            </button>
            <button type="button" class="btn" onClick={() => setOpen(null)}>
              {t('act.cancel')}
            </button>
          </div>
        </form>
      )}
      {error && (
        <div class="act-error" role="alert" data-testid="act-error">
          {error}
        </div>
      )}
    </div>
  );
}
