import { BarChart, HeatmapChart, LineChart, MapChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  CalendarComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import langVI from 'echarts/i18n/langVI-obj.js';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import type { Lang } from '../i18n/format.ts';

// SVG: crisp on a projector and in a printed PDF, and every chart stays a vector.
echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  MapChart,
  PieChart,
  ScatterChart,
  CalendarComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);
echarts.registerLocale('VI', langVI);

export type ChartOption = echarts.EChartsCoreOption;

const live = new Set<echarts.ECharts>();

/**
 * Whether a chart's box can be drawn in. echarts 6.1.0 throws on a geo/map chart laid out at 0×0
 * (apache/echarts#21706, fixed after 6.1.0; no release has it yet): a box hidden or collapsed for a
 * moment (print layout, a re-created chart) must not be laid out until it has a size again.
 */
function hasSize(el: HTMLElement): boolean {
  return el.clientWidth > 0 && el.clientHeight > 0;
}

/** Resizes every chart to its box (the window, and print layout, change the boxes). */
export function resizeCharts(): void {
  for (const c of live) if (hasSize(c.getDom())) c.resize();
}

/** Registers the city's districts as the map the choropleth draws (no tiles: the polygons only). */
export function registerDistrictMap(geojson: object): void {
  echarts.registerMap('ioc-districts', geojson as Parameters<typeof echarts.registerMap>[1]);
}

/** One echarts chart; re-created when the language changes (echarts takes the locale at init). */
export function Chart(props: { option: ChartOption; lang: Lang; height: number; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>();
  /** an option given while the box had no size: drawn once it has one */
  const pending = useRef<ChartOption>();
  useEffect(() => {
    const box = el.current;
    if (!box) return;
    const c = echarts.init(box, undefined, {
      renderer: 'svg',
      locale: props.lang === 'vi' ? 'VI' : 'EN',
    });
    chart.current = c;
    live.add(c);
    const ro = new ResizeObserver(() => {
      if (!hasSize(box)) return;
      const option = pending.current;
      pending.current = undefined;
      if (option) c.setOption(option, true);
      else c.resize();
    });
    ro.observe(box);
    return () => {
      ro.disconnect();
      live.delete(c);
      c.dispose();
      chart.current = undefined;
    };
  }, [props.lang]);
  useEffect(() => {
    const c = chart.current;
    if (!c || !el.current) return;
    if (hasSize(el.current)) {
      pending.current = undefined;
      c.setOption(props.option, true);
    } else pending.current = props.option;
  }, [props.option, props.lang]);
  return <div class="chart" ref={el} style={{ height: `${props.height}px` }} data-testid={props.testId} />;
}
