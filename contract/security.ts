// Schemas of information-security monitoring (issue 15, contract v1.7): a SIEM event in the shape Wazuh
// hands an integration (its alert JSON), and the admin's requests on the inventory of public systems.
// Plain types and constants are in securityVocab.ts.
import { z } from 'zod';
import { SYSTEM_KINDS } from './securityVocab.ts';
import { text, token } from './text.ts';

/**
 * Wazuh writes `2026-10-05T08:30:00.123+0700` (offset without a colon); ISO-8601 with `Z` or `±hh:mm` and
 * epoch ms are taken too.
 */
const WazuhTime = z.union([
  z.number().int().min(0).max(8.64e15),
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/,
      'ISO-8601 with an offset, e.g. 2026-10-05T08:30:00.000+0700',
    )
    .transform((s, ctx) => {
      const m = /([+-]\d{2}):?(\d{2})$/.exec(s);
      const ms = Date.parse(m ? `${s.slice(0, m.index)}${m[1]}:${m[2]}` : s);
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: 'not a valid time' });
        return z.NEVER;
      }
      return ms;
    }),
]);

/**
 * One SIEM event: the alert JSON Wazuh hands an integration (`integratord`), on MQTT
 * `ioc/security/event` or as the body of `POST /api/ingest/{source}` (one alert, or an array of them).
 * Read: `timestamp`, `id` (a re-sent alert is stored once), `rule.level` (0–16), `rule.description`,
 * `rule.id`, `rule.groups`, `agent.name` (the system), `agent.ip`, `data.srcip`. Every other field is ignored.
 */
export const SiemEventSchema = z.looseObject({
  timestamp: WazuhTime,
  id: token(64).optional(),
  rule: z.looseObject({
    level: z.number().int().min(0).max(16),
    description: z.string().trim().min(1).pipe(text(1000)),
    id: token(32).optional(),
    groups: z.array(token(64)).max(32).optional(),
  }),
  agent: z.looseObject({
    id: token(32).optional(),
    name: token(64),
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  }),
  data: z.looseObject({ srcip: z.union([z.ipv4(), z.ipv6()]).optional() }).optional(),
});
export type SiemEventPayload = z.input<typeof SiemEventSchema>;

/** Whether a JSON body of `POST /api/ingest/{source}` is a SIEM alert (it has a `rule` object) rather than `{values}`. */
export function isSiemAlert(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'rule' in body && typeof body.rule === 'object';
}

const Name = (max: number) => z.string().trim().min(1).pipe(text(max));
const SystemUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }));

/** `POST /api/admin/security/systems`: a public system to probe. */
export const CreateSystemSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _, at most 63'),
    nameVi: Name(200),
    nameEn: Name(200),
    kind: z.enum(SYSTEM_KINDS),
    url: SystemUrl,
    agent: token(64).nullable().default(null),
  })
  .strict();
export type CreateSystemRequest = z.input<typeof CreateSystemSchema>;

/** `PATCH /api/admin/security/systems/{id}`: edit or disable (a disabled system is not probed). */
export const UpdateSystemSchema = z
  .object({
    nameVi: Name(200).optional(),
    nameEn: Name(200).optional(),
    kind: z.enum(SYSTEM_KINDS).optional(),
    url: SystemUrl.optional(),
    agent: token(64).nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UpdateSystemRequest = z.input<typeof UpdateSystemSchema>;
