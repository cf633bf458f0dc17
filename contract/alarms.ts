// Alarms an operator must answer (issue 13): the schemas that check what is sent and received. The
// vocabulary (states, priorities, rules, titles, items, settings) is in alarmVocab.ts, free of zod so the
// browser bundles stay small; it is re-exported here, so `#contract/alarms.ts` names all of it.
import { z } from 'zod';
import {
  ALARM_RULE_META,
  ALARM_RULES,
  ALARM_STATES,
  ALARM_TITLE_CODES,
  type AlarmAction,
  type AlarmBulkAck,
  type AlarmItem,
  type AlarmTitle,
  MAX_SHELVE_MS,
  MAX_SHELVE_REASON_CHARS,
} from './alarmVocab.ts';
import { MAX_NOTE_CHARS } from './incidentsApi.ts';
import { text, token } from './text.ts';

export * from './alarmVocab.ts';

/** true only when A and B are the same type: the schemas below check exactly the vocabulary's types. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(): T | undefined => undefined;

export const AlarmPrioritySchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

export const AlarmRuleCodeSchema = z.enum(ALARM_RULES);

export const AlarmTitleSchema = z.object({
  code: z.enum(ALARM_TITLE_CODES),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
same<Same<z.infer<typeof AlarmTitleSchema>, AlarmTitle>>();

const Shelf = z.object({ by: z.string(), reason: z.string(), at: z.number(), until: z.number().nullable() });
const Suppression = z.object({ by: z.string(), reason: z.string(), at: z.number() });

/** One alarm as consoles receive it (`GET /api/alarms`, the live push). */
export const AlarmItemSchema = z.object({
  id: z.string(),
  /** what the alarm is about, unique: `rule:asset[:sub]`, or `flood:rule:ward` for a flood parent */
  key: z.string(),
  rule: AlarmRuleCodeSchema,
  priority: AlarmPrioritySchema,
  state: z.enum(ALARM_STATES),
  assetId: z.string().nullable(),
  /** the ward (district) id, for filters and flood groups */
  wardId: z.string().nullable(),
  title: AlarmTitleSchema,
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  /** stays until acknowledged even when the condition clears */
  latched: z.boolean(),
  shelved: Shelf.nullable(),
  suppressed: Suppression.nullable(),
  /** the flood group this alarm is a child of */
  parentId: z.string().nullable(),
  /** children of a flood parent (0 for other alarms) */
  childCount: z.number().int().nonnegative(),
  /** activations within the chattering window; ≥ CHATTER_ACTIVATIONS marks it chattering */
  chatterCount: z.number().int().nonnegative(),
  /** times the condition activated since the alarm was first raised */
  activationCount: z.number().int().nonnegative(),
  activatedAt: z.number().nullable(),
  clearedAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
  ackedBy: z.string().nullable(),
  updatedAt: z.number(),
  /** bumped on every change: the optimistic-concurrency token of the store */
  version: z.number().int(),
});
same<Same<z.infer<typeof AlarmItemSchema>, AlarmItem>>();

/** Operator actions on one alarm (`POST /api/alarms/{id}/actions`). */
export const AlarmActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('acknowledge'), comment: text(MAX_NOTE_CHARS).optional() }),
  z.object({
    action: z.literal('shelve'),
    reason: text(MAX_SHELVE_REASON_CHARS).refine((s) => s.trim().length > 0, 'a reason is required'),
    /** timed (≤ 8 h) or one-shot: until the condition clears */
    duration: z.union([z.number().int().positive().max(MAX_SHELVE_MS), z.literal('until_clear')]),
  }),
  z.object({ action: z.literal('unshelve'), comment: text(MAX_NOTE_CHARS).optional() }),
]);
same<Same<z.infer<typeof AlarmActionSchema>, AlarmAction>>();

/** Acknowledge several at once (the selected, or all visible). */
export const AlarmBulkAckSchema = z.object({
  ids: z.array(token(20)).min(1).max(10_000),
  comment: text(MAX_NOTE_CHARS).optional(),
});
same<Same<z.infer<typeof AlarmBulkAckSchema>, AlarmBulkAck>>();

/** An admin's change to a rule (`PUT /api/admin/alarm-rules/{rule}`), checked against ALARM_RULE_META. */
export const AlarmRuleUpdateSchema = z
  .object({
    rule: AlarmRuleCodeSchema,
    enabled: z.boolean(),
    priority: AlarmPrioritySchema,
    latched: z.boolean(),
    threshold: z.number().finite().nullable(),
    margin: z.number().finite().nullable(),
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3_600_000),
    clearDelayMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3_600_000),
  })
  .superRefine((r, ctx) => {
    const meta = ALARM_RULE_META[r.rule];
    for (const f of ['threshold', 'margin'] as const) {
      const m = meta[f];
      const v = r[f];
      if (m === null && v !== null)
        ctx.addIssue({ code: 'custom', path: [f], message: `${r.rule} has no ${f}` });
      if (m !== null && v === null)
        ctx.addIssue({ code: 'custom', path: [f], message: `${r.rule} needs a ${f} (${m.unit})` });
      if (m !== null && v !== null && (v < m.min || v > m.max))
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: `${f} must be within ${m.min}..${m.max} ${m.unit}`,
        });
    }
  });

export const OutOfServiceSchema = z.object({
  assetId: token(64),
  reason: text(MAX_SHELVE_REASON_CHARS).refine((s) => s.trim().length > 0, 'a reason is required'),
  until: z.number().int().positive().nullable(),
});
