import { useEffect, useRef, useState } from 'preact/hooks';
import {
  CSV_COLUMNS,
  type IngestAnswer,
  type IngestRowStatus,
  MAX_CSV_BYTES,
} from '#contract/indicatorVocab.ts';
import { formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { AdminApiError, adminApi, catalogue, loadCatalogue } from './api.ts';
import {
  type CsvPreview,
  fileRefusal,
  formatBytes,
  nameOf,
  previewCsv,
  previewRefused,
  rejectText,
  templateCsv,
} from './indicators.ts';
import { errorText } from './ui.tsx';

/** Rejected rows listed at most; the rest are counted (a file of 50,000 bad lines must not freeze the page). */
const SHOWN_REJECTS = 500;

type Picked = { file: File; refusal: 'tooLarge' | 'empty' | null; preview: CsvPreview | null };
type Sending = { share: number } | null;

/** Saves text as a file the browser downloads. */
function download(name: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The CSV import of figures (issue 14): a file picked or dropped is looked at here first (size, separator,
 * header, first lines, as the import will read them), then sent with its progress; the answer counts what
 * was stored, revised, a duplicate or refused, and says for each refused row its line and why.
 */
export function ImportTab() {
  const l = lang.value;
  const [picked, setPicked] = useState<Picked | null>(null);
  const [sending, setSending] = useState<Sending>(null);
  const [answer, setAnswer] = useState<{ name: string; a: IngestAnswer } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLElement>(null);
  useEffect(() => loadCatalogue(), []);

  const pick = async (file: File | undefined) => {
    setAnswer(null);
    setFailed(null);
    if (!file) return setPicked(null);
    const refusal = fileRefusal(file.size);
    // a file too large is not read at all: its size is enough to refuse it
    setPicked({ file, refusal, preview: refusal ? null : previewCsv(await file.text()) });
  };

  const send = async () => {
    if (!picked || picked.refusal) return;
    setSending({ share: 0 });
    setFailed(null);
    try {
      const a = await adminApi.importCsv(picked.file, picked.file.name, (share) => setSending({ share }));
      setAnswer({ name: picked.file.name, a });
      setPicked(null);
      if (input.current) input.current.value = '';
      // the answer takes the preview's place: the reader's focus goes with it
      requestAnimationFrame(() => result.current?.focus());
    } catch (err) {
      setFailed(refusalText(err));
    } finally {
      setSending(null);
    }
  };

  const refusalText = (err: unknown) => {
    if (err instanceof AdminApiError && err.code === 'csv_too_large')
      return t('admin.imp.tooLarge', { max: formatBytes(l, MAX_CSV_BYTES) });
    if (err instanceof AdminApiError && err.code === 'bad_csv')
      return t('admin.imp.badCsv', { msg: err.message });
    return t('admin.failed', { msg: errorText(err) });
  };

  const p = picked?.preview ?? null;
  const blocked = !picked || !!picked.refusal || !!sending;
  return (
    <section class="panel" data-testid="import-tab">
      <p class="intro">
        {t('admin.imp.intro', { max: formatBytes(l, MAX_CSV_BYTES) })}{' '}
        <span class="mono">{CSV_COLUMNS.join(', ')}</span>
      </p>
      <div class="toolbar">
        <div class="count">{t('admin.imp.required')}</div>
        <button
          type="button"
          class="btn"
          data-testid="import-template"
          onClick={() => download(t('admin.imp.templateName'), templateCsv(Date.now()))}
        >
          ⤓ {t('admin.imp.template')}
        </button>
      </div>
      <label
        class={`drop${over ? ' over' : ''}`}
        for="csv-file"
        data-testid="import-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void pick(e.dataTransfer?.files[0]);
        }}
      >
        <input
          id="csv-file"
          ref={input}
          type="file"
          class="drop-input"
          accept=".csv,text/csv,text/plain"
          data-testid="import-file"
          disabled={!!sending}
          onChange={(e) => void pick((e.target as HTMLInputElement).files?.[0])}
        />
        <span class="drop-title">{t('admin.imp.drop')}</span>
        <span class="hint">{t('admin.imp.dropHint', { max: formatBytes(l, MAX_CSV_BYTES) })}</span>
      </label>

      {picked && (
        <section class="picked" data-testid="import-picked" aria-live="polite">
          <div class="picked-head">
            <b class="mono">{picked.file.name}</b>
            <span data-testid="import-size">{formatBytes(l, picked.file.size)}</span>
            {p && !p.error && (
              <span data-testid="import-records">
                {t('admin.imp.records', { n: formatNumber(l, p.records) })}
              </span>
            )}
            {p && !p.error && (
              <span class="muted">
                {t(p.separator === ';' ? 'admin.imp.sepSemicolon' : 'admin.imp.sepComma')}
              </span>
            )}
          </div>
          {picked.refusal && (
            <div class="state state-error" role="alert" data-testid="import-refused">
              {picked.refusal === 'tooLarge'
                ? t('admin.imp.tooLarge', { max: formatBytes(l, MAX_CSV_BYTES) })
                : t('admin.imp.empty')}
            </div>
          )}
          {p && previewRefused(p) && (
            <div class="note" role="alert" data-testid="import-header-problem">
              {p.error
                ? t('admin.imp.quote', { msg: p.error })
                : [
                    p.unknown.length ? t('admin.imp.unknownCols', { cols: p.unknown.join(', ') }) : '',
                    p.missing.length ? t('admin.imp.missingCols', { cols: p.missing.join(', ') }) : '',
                    p.twice.length ? t('admin.imp.twiceCols', { cols: p.twice.join(', ') }) : '',
                  ]
                    .filter(Boolean)
                    .join(' ')}
            </div>
          )}
          {p && !p.error && p.header.length > 0 && (
            <>
              <div class="label">{t('admin.imp.firstLines', { n: formatNumber(l, p.first.length) })}</div>
              <div class="table-wrap">
                <table class="tbl tbl-preview" data-testid="import-preview">
                  <thead>
                    <tr>
                      <th class="num">{t('admin.imp.col.line')}</th>
                      {p.header.map((h, i) => (
                        <th key={i} class={p.unknown.includes(h) ? 'bad-col' : ''}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {p.first.map((r) => (
                      <tr key={r.line}>
                        <td class="num muted">{r.line}</td>
                        {p.header.map((_, i) => (
                          <td key={i} class="mono">
                            {r.cells[i] ?? ''}
                          </td>
                        ))}
                      </tr>
                    ))}
                    {p.first.length === 0 && (
                      <tr>
                        <td colSpan={p.header.length + 1} class="muted">
                          {t('admin.imp.noRows')}
                        </td>
                      </tr>
                    )}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <div class="send-row">
            {sending && (
              <div class="progress" data-testid="import-progress">
                <progress max={1} value={sending.share} aria-label={t('admin.imp.sending')} />
                <span>
                  {sending.share < 1
                    ? t('admin.imp.uploading', { pct: formatNumber(l, Math.round(sending.share * 100)) })
                    : t('admin.imp.checking')}
                </span>
              </div>
            )}
            <button type="button" class="btn" disabled={!!sending} onClick={() => void pick(undefined)}>
              {t('admin.cancel')}
            </button>
            <button
              type="button"
              class="btn primary"
              disabled={blocked}
              data-testid="import-send"
              onClick={() => void send()}
            >
              {t('admin.imp.send')}
            </button>
          </div>
        </section>
      )}

      {failed && (
        <div class="state state-error" role="alert" data-testid="import-failed">
          {failed}
        </div>
      )}
      {!picked && !answer && !failed && (
        <div class="state" data-testid="import-none">
          {t('admin.imp.none')}
        </div>
      )}
      {answer && <Answer name={answer.name} a={answer.a} focusRef={result} />}
      <Known />
    </section>
  );
}

const STATUSES: IngestRowStatus[] = ['stored', 'revised', 'duplicate', 'rejected'];

function Answer(props: { name: string; a: IngestAnswer; focusRef: { current: HTMLElement | null } }) {
  const l = lang.value;
  const { a } = props;
  const rejected = a.rows.filter((r) => r.status === 'rejected');
  return (
    <section class="answer" data-testid="import-answer" tabIndex={-1} ref={props.focusRef}>
      <h2 class="group-title">{t('admin.imp.done', { name: props.name })}</h2>
      <div class="tiles">
        {STATUSES.map((s) => (
          <div key={s} class={`tile tile-${s}`} data-testid={`import-${s}`}>
            <div class="tile-n">{formatNumber(l, a[s])}</div>
            <div class="tile-label">{t(`admin.imp.status.${s}` as MessageKey)}</div>
          </div>
        ))}
      </div>
      {rejected.length > 0 ? (
        <>
          <h3 class="label">{t('admin.imp.rejectedRows')}</h3>
          <div class="table-wrap">
            <table class="tbl" data-testid="import-rejects">
              <thead>
                <tr>
                  <th class="num">{t('admin.imp.col.line')}</th>
                  <th>{t('admin.imp.col.why')}</th>
                </tr>
              </thead>
              <tbody>
                {rejected.slice(0, SHOWN_REJECTS).map((r) => {
                  const why = rejectText(l, r.reason, r.detail);
                  return (
                    <tr key={r.row} data-testid="import-reject" data-line={r.row} data-reason={r.reason}>
                      <td class="num">{formatNumber(l, r.row)}</td>
                      <td>
                        {why.text}
                        {why.detail && <div class="sub mono">{why.detail}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {rejected.length > SHOWN_REJECTS && (
            <div class="hint">
              {t('admin.imp.moreRejects', { n: formatNumber(l, rejected.length - SHOWN_REJECTS) })}
            </div>
          )}
        </>
      ) : (
        <div class="state small-state" data-testid="import-all-good">
          {t('admin.imp.allGood')}
        </div>
      )}
    </section>
  );
}

/** The indicators a file may name, with their unit and period: what goes in the `indicator` column. */
function Known() {
  const l = lang.value;
  const c = catalogue.value;
  if (!c) return null;
  const items = c.items.filter((d) => !d.disabled);
  return (
    <details class="howto" data-testid="import-known">
      <summary>{t('admin.imp.known', { n: formatNumber(l, items.length) })}</summary>
      <div class="table-wrap">
        <table class="tbl">
          <thead>
            <tr>
              <th>indicator</th>
              <th>{t('admin.ind.col.indicator')}</th>
              <th>unit</th>
              <th>{t('admin.imp.col.periodAs')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td class="mono">{d.id}</td>
                <td>{nameOf(l, d)}</td>
                <td>
                  <span class="mono">{d.unit}</span>{' '}
                  <span class="muted">({t(`unit.${d.unit}` as MessageKey)})</span>
                </td>
                <td>
                  {t(`period.${d.period}` as MessageKey)} ·{' '}
                  <span class="mono">
                    {d.period === 'monthly'
                      ? 'YYYY-MM'
                      : d.period === 'quarterly'
                        ? 'YYYY-Qn'
                        : d.period === 'daily'
                          ? 'YYYY-MM-DD'
                          : 'ISO-8601'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
