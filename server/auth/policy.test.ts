import { describe, expect, it } from 'vitest';
import { allows, ruleFor } from './policy.ts';

describe('access table', () => {
  it('names the rule of each route and refuses what it does not name', () => {
    expect(ruleFor('GET', '/api/health')?.access).toBe('public');
    expect(allows(ruleFor('PATCH', '/api/incidents/42')!.access, 'operator')).toBe(true);
    expect(allows(ruleFor('PATCH', '/api/incidents/42')!.access, 'leader')).toBe(false);
    expect(allows(ruleFor('GET', '/api/dashboard/summary')!.access, 'field')).toBe(false);
    expect(allows(ruleFor('GET', '/api/photos/abc/thumb')!.access, 'field')).toBe(true);
    expect(allows(ruleFor('POST', '/api/admin/users')!.access, 'operator')).toBe(false);
    // other systems send indicator values with their source's API key, not a session (the route checks it)
    expect(ruleFor('POST', '/api/ingest/mot-cua')?.access).toBe('public');
    expect(allows(ruleFor('GET', '/api/ingest/rejects')!.access, undefined)).toBe(false);
    expect(allows(ruleFor('GET', '/api/indicators/cpi/series')!.access, 'field')).toBe(false);
    expect(allows(ruleFor('POST', '/api/admin/indicators/import')!.access, 'leader')).toBe(false);
    // the services' tiles are the console's; their dashboard tabs the dashboard's
    expect(allows(ruleFor('GET', '/api/services/tiles')!.access, 'operator')).toBe(true);
    expect(allows(ruleFor('GET', '/api/services/tiles')!.access, 'field')).toBe(false);
    expect(allows(ruleFor('GET', '/api/dashboard/public-services/agencies')!.access, 'leader')).toBe(true);
    expect(allows(ruleFor('GET', '/api/dashboard/socio-economic/series')!.access, 'field')).toBe(false);
    expect(ruleFor('GET', '/api/something-new')).toBeUndefined();
    expect(ruleFor('DELETE', '/api/incidents/42')).toBeUndefined();
    // a path that only starts like a rule's does not match it
    expect(ruleFor('GET', '/api/healthz')).toBeUndefined();
  });
});
