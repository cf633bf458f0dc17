import type { IndicatorDef } from '#contract/indicatorVocab.ts';

/**
 * What ingest checks a value of the indicator feed against: the catalogue, the city's wards and the
 * agencies (disabled ones left out). Made by the indicators module from the database, renewed when an
 * admin changes them (and every 30 s, for changes made on another instance).
 */
export interface IndicatorCatalogue {
  indicators: ReadonlyMap<string, IndicatorDef>;
  wards: ReadonlySet<string>;
  agencies: ReadonlySet<string>;
}

export const EMPTY_CATALOGUE: IndicatorCatalogue = {
  indicators: new Map(),
  wards: new Set(),
  agencies: new Set(),
};

export function catalogueOf(
  defs: readonly IndicatorDef[],
  wards: Iterable<string>,
  agencies: Iterable<string>,
): IndicatorCatalogue {
  return {
    indicators: new Map(defs.filter((d) => !d.disabled).map((d) => [d.id, d])),
    wards: new Set(wards),
    agencies: new Set(agencies),
  };
}
