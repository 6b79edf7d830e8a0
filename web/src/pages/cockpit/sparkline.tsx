import { LineChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import { type Cell, palette, statusColor } from "./format";

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** A small trend line over periods (earliest first); the last point coloured by its status. */
export function Sparkline({
  trend,
  unit,
  width = 96,
  height = 28,
}: {
  trend: Cell["trend"];
  unit: string | null;
  width?: number;
  height?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { width, height });
    const last = trend[trend.length - 1];
    c.setOption({
      animation: false,
      grid: { left: 3, right: 3, top: 4, bottom: 4 },
      xAxis: { type: "category", show: false, data: trend.map((p) => p.period) },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: {
        trigger: "axis",
        confine: true,
        textStyle: { fontSize: 11 },
        formatter: (ps: { name: string; value: number | null }[]) =>
          ps
            .map(
              (p) =>
                `${p.name}：${p.value ?? "无数据"}${p.value != null && unit ? (unit === "%" ? "%" : ` ${unit}`) : ""}`,
            )
            .join("<br/>"),
      },
      series: [
        {
          type: "line",
          data: trend.map((p) => p.value),
          symbol: "circle",
          symbolSize: (_v: unknown, p: { dataIndex: number }) => (p.dataIndex === trend.length - 1 ? 6 : 3),
          itemStyle: {
            color: (p: { dataIndex: number }) =>
              p.dataIndex === trend.length - 1 && last ? statusColor[last.status] : palette.glow,
          },
          lineStyle: { color: palette.glow, width: 1.5 },
          areaStyle: { color: "rgba(55, 200, 255, 0.12)" },
          connectNulls: false,
        },
      ],
    });
    return () => c.dispose();
  }, [trend, unit, width, height]);
  return <div ref={el} style={{ width, height }} data-testid="sparkline" />;
}
