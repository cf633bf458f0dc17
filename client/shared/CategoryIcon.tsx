import type { IncidentCategory } from '#contract/vocab.ts';

/** 24×24 stroke paths per category: simple shapes that read at 20 px on a wall and in sunlight. */
const PATHS: Record<IncidentCategory, string> = {
  // two cars meeting, with a spark
  traffic_accident:
    'M3 15l2-5h6l2 5v3H3zM5 18v2M11 18v2M14 9l3-1M16 5l-1 3M19 7l-3 1M15 14h6v4h-6zM16 18v2M20 18v2',
  // three cars queued
  traffic_jam: 'M2 10h6v4H2zM9 10h6v4H9zM16 10h6v4h-6zM3 14v2M7 14v2M10 14v2M14 14v2M17 14v2M21 14v2',
  // rising water
  flooding:
    'M12 3l-4 6a4 4 0 0 0 8 0zM2 17c2-1.5 3.5-1.5 5 0s3.5 1.5 5 0 3.5-1.5 5 0 3.5 1.5 5 0M2 21c2-1.5 3.5-1.5 5 0s3.5 1.5 5 0 3.5-1.5 5 0 3.5 1.5 5 0',
  // flame
  fire: 'M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2.5 1.5-4 2.5-5 0 2 1 3 2 3 0-3-1-6.5.5-9z',
  // shield
  public_order: 'M12 2l8 3v6c0 5-3.5 9-8 11-4.5-2-8-6-8-11V5zM9 12l2 2 4-4',
  // leaf
  environment: 'M5 19c0-9 6-14 15-14 0 9-5 15-14 15M5 19l7-7',
  // traffic cone
  infrastructure: 'M10 3h4l4 16H6zM8 11h8M7 15h10M3 21h18',
  // street lamp
  lighting: 'M7 21V6a3 3 0 0 1 3-3h6M16 3v2M13 5h6l-1 3h-4zM4 21h6M16 11v2M19 10l1.5 1M13 10l-1.5 1',
  // bin
  waste: 'M4 6h16M9 6V3h6v3M6 6l1 15h10l1-15M10 10v7M14 10v7',
  // three dots in a circle
  other: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM8 12h.01M12 12h.01M16 12h.01',
};

/** The category's pictogram, drawn in `currentColor`. */
export function CategoryIcon({ category, size = 24 }: { category: IncidentCategory; size?: number }) {
  return (
    <svg
      class="cat-icon"
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[category] ?? PATHS.other} />
    </svg>
  );
}
