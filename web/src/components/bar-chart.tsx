import { BarChart as EBarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([EBarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface BarSeries {
  name: string;
  values: number[];
  color?: string;
}

/** A horizontal (stacked) bar chart: one bar per category, one colour per series. */
export function BarChart({
  categories,
  series,
  height = 300,
  testId,
}: {
  categories: string[];
  series: BarSeries[];
  height?: number;
  testId?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { show: series.length > 1, top: 0 },
        grid: { left: 8, right: 24, top: series.length > 1 ? 32 : 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: categories, inverse: true },
        series: series.map((s) => ({
          type: "bar",
          name: s.name,
          stack: "total",
          data: s.values,
          itemStyle: s.color ? { color: s.color } : undefined,
          label: { show: series.length === 1, position: "right" },
          barMaxWidth: 28,
        })),
      },
      { notMerge: true },
    );
  }, [categories, series]);
  return <div ref={el} style={{ width: "100%", height }} data-testid={testId} />;
}
