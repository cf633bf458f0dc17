// What the server sends as codes and parameters, worded in the reader's language: alert titles, a
// camera detection behind an incident, merge events in an incident's history. Text stored before
// contract v1.4 (a free-text title, description or note) is shown as it is.
import type { IncidentHistoryEntry } from '#contract/incidentsApi.ts';
import type { AlertTitle, IncidentItem } from '#contract/live.ts';
import { formatNumber, formatPercent, type Lang, translate } from '../i18n/format.ts';

/** An alert's title; a string is an alert worded by a server before v1.4. */
export function alertTitleText(lang: Lang, title: AlertTitle | string): string {
  if (typeof title === 'string') return title;
  switch (title.code) {
    case 'congestion':
      return translate(lang, 'alert.congestion', {
        segment: title.params.segment,
        speed: formatNumber(lang, title.params.speedKmh),
        unit: translate(lang, 'unit.kmh'),
      });
    case 'camera_offline':
      return translate(lang, 'alert.cameraOffline', { camera: title.params.camera });
    case 'camera_event':
      return translate(lang, 'alert.cameraEvent', {
        event: translate(lang, `ev.${title.params.event}`),
        camera: title.params.camera,
      });
    case 'incident':
      return translate(lang, 'alert.incident', {
        category: translate(lang, `cat.${title.params.category}`),
        severity: title.params.severity,
      });
  }
  // a code this client does not know yet (a newer server): its name rather than nothing
  return String((title as { code: unknown }).code);
}

/**
 * The line that says what an incident is about: its description (a person's words, or a sentence
 * stored before v1.4), else the camera detection that opened it, else ''.
 */
export function incidentText(
  lang: Lang,
  i: Pick<IncidentItem, 'description' | 'detection'>,
  cameraName: (id: string) => string | undefined,
): string {
  if (i.description) return i.description;
  const d = i.detection;
  if (!d) return '';
  const params = { event: translate(lang, `ev.${d.event}`), camera: cameraName(d.cameraId) ?? d.cameraId };
  return d.confidence === undefined
    ? translate(lang, 'detect.plain', params)
    : translate(lang, 'detect.withConfidence', { ...params, confidence: formatPercent(lang, d.confidence) });
}

/** The notes a server wrote for merges before v1.4, in English: hidden where the coded line says the same. */
const oldMergeNote = (h: IncidentHistoryEntry) =>
  h.ref !== undefined &&
  (h.note === `merged into ${h.ref.number}` || h.note === `${h.ref.number} merged into this one`);

/** The lines under one history event: the merge or assignment it records (worded here), then the note a person wrote. */
export function historyLines(lang: Lang, h: IncidentHistoryEntry): string[] {
  const out: string[] = [];
  if (h.ref && h.action === 'merged') out.push(translate(lang, 'hist.merged', { number: h.ref.number }));
  if (h.ref && h.action === 'merge') out.push(translate(lang, 'hist.merge', { number: h.ref.number }));
  if (h.assignee) out.push(translate(lang, 'hist.assignedTo', { who: h.assignee }));
  if (h.note && !oldMergeNote(h)) out.push(h.note);
  return out;
}
