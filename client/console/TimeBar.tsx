import { useEffect, useState } from 'preact/hooks';
import { fmt, lang, t } from '../i18n/i18n.ts';
import {
  formatMoment,
  history,
  parseMoment,
  type ReplayPlayer,
  replay,
  SPEEDS,
  timeBarOpen,
} from './replay.ts';
import { clock } from './store.ts';

let player: ReplayPlayer | undefined;
/** The console's one replay player (main.tsx makes it). */
export function setReplayPlayer(p: ReplayPlayer): void {
  player = p;
}
export function replayPlayer(): ReplayPlayer | undefined {
  return player;
}

/** The not-live frame: a border round the whole console and the replayed moment in large type. */
export function ReplayFrame() {
  const r = replay.value;
  if (!r) return null;
  const f = fmt.value;
  return (
    <div class="replay-frame" data-testid="replay-frame" aria-live="polite">
      <div class="replay-stamp">
        <span class="replay-label">{t('replay.notLive')}</span>
        <span class="replay-time" data-testid="replay-time">
          {f.dateTime(r.at)}
        </span>
      </div>
    </div>
  );
}

/** The time bar (key T): drag or type a moment, play, step, speeds, markers, back to live. */
export function TimeBar() {
  const [drag, setDrag] = useState<number | null>(null);
  const [typed, setTyped] = useState<string>('');
  const [badMoment, setBadMoment] = useState(false);
  const at = replay.value?.at ?? clock.value;
  const minute = Math.floor(at / 60_000);
  const l = lang.value;
  useEffect(() => {
    setTyped(formatMoment(at, l));
    setBadMoment(false);
  }, [minute, l]);
  const seekTyped = (value: string) => {
    const ms = parseMoment(value);
    setBadMoment(!Number.isFinite(ms));
    if (Number.isFinite(ms)) void player?.seek(ms);
  };
  if (!timeBarOpen.value && !replay.value) return null;
  const p = player;
  const r = replay.value;
  const h = history.value;
  const now = clock.value;
  const f = fmt.value;
  const from = h?.from ?? now - 7 * 86_400_000;
  const to = Math.max(h?.to ?? now, now);
  const shown = drag ?? at;
  const pct = (x: number) => `${((x - from) / (to - from)) * 100}%`;
  return (
    <section class={`time-bar${r ? ' replaying' : ''}`} data-testid="time-bar" aria-label={t('replay.title')}>
      <div class="tb-controls">
        <button
          type="button"
          class="tb-btn"
          onClick={() => p?.step(-1)}
          title={t('replay.back5')}
          aria-label={t('replay.back5')}
          data-testid="replay-back"
        >
          −5′
        </button>
        <button
          type="button"
          class="tb-btn tb-play"
          onClick={() => (r ? p?.togglePlay() : p?.seek(now - 3_600_000).then(() => p?.play()))}
          title={r?.playing ? t('replay.pause') : t('replay.play')}
          aria-label={r?.playing ? t('replay.pause') : t('replay.play')}
          data-testid="replay-play"
        >
          {r?.playing ? '❚❚' : '▶'}
        </button>
        <button
          type="button"
          class="tb-btn"
          onClick={() => p?.step(1)}
          title={t('replay.forward5')}
          aria-label={t('replay.forward5')}
          data-testid="replay-forward"
        >
          +5′
        </button>
        <fieldset class="tb-speeds" aria-label={t('replay.speed')}>
          {SPEEDS.map((s) => (
            <button
              type="button"
              key={s}
              class={`tb-speed${(r?.speed ?? 60) === s ? ' on' : ''}`}
              aria-pressed={(r?.speed ?? 60) === s}
              onClick={() => (r ? p?.setSpeed(s) : undefined)}
              disabled={!r}
              data-testid={`replay-speed-${s}`}
            >
              {s}×
            </button>
          ))}
        </fieldset>
        <label class="tb-moment">
          <span class="sr-only">{t('replay.moment')}</span>
          <input
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellcheck={false}
            value={typed}
            placeholder={t('replay.momentFormat')}
            title={`${t('replay.moment')}: ${t('replay.momentFormat')}`}
            aria-invalid={badMoment}
            aria-describedby={badMoment ? 'tb-moment-error' : undefined}
            data-testid="replay-input"
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') seekTyped((e.target as HTMLInputElement).value);
            }}
            onChange={(e) => seekTyped((e.target as HTMLInputElement).value)}
          />
        </label>
        {badMoment && (
          <span class="tb-error" id="tb-moment-error" role="alert" data-testid="replay-input-error">
            {t('replay.momentBad', { example: formatMoment(now - 3_600_000, l) })}
          </span>
        )}
        {r?.loading && <span class="muted">{t('replay.loading')}</span>}
        {r?.error && (
          <span class="tb-error" role="alert">
            {t('replay.error', { code: r.error })}
          </span>
        )}
        <span class="tb-spacer" />
        {r && (
          <span class="muted tb-note" data-testid="replay-held">
            {t('replay.liveKept', { n: f.num(p?.heldChanges() ?? 0) })}
          </span>
        )}
        <button
          type="button"
          class={`tb-live${r ? '' : ' on'}`}
          onClick={() => {
            if (r) p?.goLive();
            else timeBarOpen.value = false;
          }}
          data-testid="replay-live"
          title={r ? t('replay.live') : t('replay.close')}
        >
          ● {t('replay.live')}
        </button>
      </div>
      <div class="tb-track">
        <div class="tb-markers" aria-hidden="true">
          {h?.markers.map((m) => (
            <span
              key={`${m.kind}${m.id}${m.ts}`}
              class={`tb-marker tb-${m.kind} lvl-${m.level}`}
              style={{ left: pct(m.ts) }}
              title={f.dateTime(m.ts)}
            >
              {m.kind === 'incident' ? '▲' : '◆'}
            </span>
          ))}
        </div>
        <input
          type="range"
          class="tb-range"
          min={from}
          max={to}
          step={60_000}
          value={shown}
          aria-label={t('replay.slider')}
          aria-valuetext={f.dateTime(shown)}
          data-testid="replay-slider"
          onInput={(e) => setDrag(Number((e.target as HTMLInputElement).value))}
          onChange={(e) => {
            const ms = Number((e.target as HTMLInputElement).value);
            setDrag(null);
            void p?.seek(ms);
          }}
        />
        <div class="tb-scale">
          <span>{f.dateTime(from)}</span>
          {drag !== null && <span class="tb-drag">{f.dateTime(drag)}</span>}
          <span class="muted">{t('replay.legend')}</span>
          <span>{f.dateTime(to)}</span>
        </div>
      </div>
    </section>
  );
}
