import * as admin from './messages/admin.ts';
import * as alarms from './messages/alarms.ts';
import * as common from './messages/common.ts';
import * as consolePage from './messages/console.ts';
import * as dashboard from './messages/dashboard.ts';
import * as dashboardServices from './messages/dashboardServices.ts';
import * as field from './messages/field.ts';
import * as login from './messages/login.ts';
import * as province from './messages/province.ts';
import * as security from './messages/security.ts';

/**
 * Every page's words, one file per page in messages/ (common.ts for those several pages use).
 * Vietnamese first: each file's English has exactly its Vietnamese keys, or it does not compile;
 * messages.test.ts checks that no key is in two files and that both languages fill the same {placeholders}.
 */
export const PAGES = {
  common,
  console: consolePage,
  alarms,
  province,
  field,
  dashboard,
  dashboardServices,
  admin,
  login,
  security,
};

export const vi = {
  ...common.vi,
  ...consolePage.vi,
  ...alarms.vi,
  ...province.vi,
  ...field.vi,
  ...dashboard.vi,
  ...dashboardServices.vi,
  ...admin.vi,
  ...login.vi,
  ...security.vi,
} as const;

export type MessageKey = keyof typeof vi;

export const en: Record<MessageKey, string> = {
  ...common.en,
  ...consolePage.en,
  ...alarms.en,
  ...province.en,
  ...field.en,
  ...dashboard.en,
  ...dashboardServices.en,
  ...admin.en,
  ...login.en,
  ...security.en,
};
