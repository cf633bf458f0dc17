import type { IncidentItem } from '#contract/live.ts';
import type { OperatorDesk } from '#contract/simulation.ts';
import { type OperatorStep, operatorTimeline } from './operatorModel.ts';

/** The desk is the host's (the IOC's incidents); its shape is part of the simulation contract. */
export type { OperatorDesk };

const ORDER = ['new', 'acknowledged', 'dispatched', 'resolved', 'closed'] as const;
const STEP_FROM: Record<OperatorStep['action'], (typeof ORDER)[number]> = {
  acknowledge: 'new',
  assign: 'acknowledged',
  resolve: 'dispatched',
  close: 'resolved',
};

/**
 * Takes every step whose time has come on the simulated incidents (from sensors and cameras; what
 * people report from the field is left to the people at the console). Returns what changed.
 */
export async function runOperatorSteps(desk: OperatorDesk, now: number, seed = 42): Promise<IncidentItem[]> {
  const changed: IncidentItem[] = [];
  for (const inc of await desk.openIncidents()) {
    if (inc.source !== 'mqtt' && inc.source !== 'camera') continue;
    let current: IncidentItem = inc;
    for (const step of operatorTimeline(
      { id: inc.id, category: inc.category, severity: inc.severity, reportedAt: inc.ts },
      seed,
    )) {
      if (step.at > now) break;
      if (STEP_FROM[step.action] !== current.status) continue;
      const next = await desk.apply(inc.id, step);
      if (!next) break;
      current = next;
    }
    if (current !== inc) changed.push(current);
  }
  return changed;
}
