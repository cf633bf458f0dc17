import { BarChart, HeatmapChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import {
  CalendarComponent,
  GridComponent,
  LegendComponent,
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
  CalendarComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);
echarts.registerLocale('VI', langVI);

export type ChartOption = echarts.EChartsCoreOption;

const live = new Set<echarts.ECharts>();

/** Resizes every chart to its box (the window, and print layout, change the boxes). */
export function resizeCharts(): void {
  for (const c of live) c.resize();
}

/** Registers the city's districts as the map the choropleth draws (no tiles: the polygons only). */
export function registerDistrictMap(geojson: object): void {
  echarts.registerMap('ioc-districts', geojson as Parameters<typeof echarts.registerMap>[1]);
}

/** One echarts chart; re-created when the language changes (echarts takes the locale at init). */
export function Chart(props: { option: ChartOption; lang: Lang; height: number; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>();
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, {
      renderer: 'svg',
      locale: props.lang === 'vi' ? 'VI' : 'EN',
    });
    chart.current = c;
    live.add(c);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      live.delete(c);
      c.dispose();
      chart.current = undefined;
    };
  }, [props.lang]);
  useEffect(() => {
    chart.current?.setOption(props.option, true);
  }, [props.option, props.lang]);
  return <div class="chart" ref={el} style={{ height: `${props.height}px` }} data-testid={props.testId} />;
}
