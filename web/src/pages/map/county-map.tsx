import { MapChart } from "echarts/charts";
import { TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import counties from "./lvliang-counties.json";

// Only the parts of ECharts the map uses, so this chunk stays small.
echarts.use([MapChart, TooltipComponent, VisualMapComponent, CanvasRenderer]);
echarts.registerMap("lvliang", counties as Parameters<typeof echarts.registerMap>[1]);

/** The counties drawn on the map: code (GB/T 2260) and name, from the bundled boundaries. */
export const mapCounties = counties.features.map((f) => ({
  code: f.properties.code,
  name: f.properties.name,
}));

export interface MapDatum {
  code: string;
  name: string;
  /** The chosen figure; null when the county is outside the user's scope. */
  value: number | null;
  /** Drawn with a thick border: the user's own county. */
  highlighted: boolean;
  tooltip: string;
}

interface Props {
  data: MapDatum[];
  figureName: string;
  outOfScopeText: string;
  onSelect(code: string): void;
  height?: number;
  /** Colour of the scale's text (light on a dark screen such as the cockpit). */
  textColor?: string;
}

/**
 * The county map of the city, coloured by one figure (ECharts visualMap). Counties without a value
 * are outside the user's scope: grey, without figures, not clickable.
 */
export function CountyMap({
  data,
  figureName,
  outOfScopeText,
  onSelect,
  height = 500,
  textColor = "#333",
}: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    c.on("click", (p) => {
      const d = p.data as (MapDatum & { value: number | string }) | undefined;
      if (d && typeof d.value === "number") onSelectRef.current(d.code);
    });
    // For the e2e journeys and the "time to show the map" figure: the first complete drawing.
    // Each county's label point in pixels, so a journey can click a county on the canvas.
    c.on("finished", () => {
      if (!el.current) return;
      const centres: Record<string, number[]> = {};
      for (const f of counties.features) {
        const px = c.convertToPixel({ seriesIndex: 0 }, f.properties.cp) as number[] | undefined;
        if (px) centres[f.properties.code] = px.map(Math.round);
      }
      el.current.dataset.centres = JSON.stringify(centres);
      if (el.current.dataset.ready) return;
      el.current.dataset.ready = "1";
      (window as unknown as { __mapReadyAt?: number }).__mapReadyAt = performance.now();
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const values = data.map((d) => d.value).filter((v): v is number => v !== null);
    const max = values.length ? Math.max(...values) : 1;
    const min = values.length > 1 ? Math.min(...values) : 0;
    c.setOption(
      {
        tooltip: {
          trigger: "item",
          formatter: (p: { data?: MapDatum; name: string }) =>
            p.data && p.data.value !== null ? p.data.tooltip : `<b>${p.name}</b><br/>${outOfScopeText}`,
        },
        visualMap: {
          type: "continuous",
          min: min === max ? 0 : min,
          max,
          text: [String(max), String(min === max ? 0 : min)],
          calculable: false,
          left: 16,
          bottom: 16,
          inRange: { color: ["#e6f4ff", "#69b1ff", "#0958d9", "#002c8c"] },
          textStyle: { color: textColor },
          formatter: (v: number) => `${figureName} ${Math.round(v * 10) / 10}`,
        },
        series: [
          {
            type: "map",
            map: "lvliang",
            roam: false,
            selectedMode: false,
            layoutCenter: ["50%", "50%"],
            layoutSize: "95%",
            label: {
              show: true,
              fontSize: 12,
              color: "#1f1f1f",
              textBorderColor: "#fff",
              textBorderWidth: 2,
            },
            itemStyle: { areaColor: "#f0f0f0", borderColor: "#8c8c8c", borderWidth: 1 },
            emphasis: { label: { show: true, fontWeight: "bold" }, itemStyle: { areaColor: "#ffd666" } },
            data: data.map((d) => ({
              ...d,
              // ECharts leaves "-" out of the visualMap: the grey default colour remains.
              value: d.value ?? "-",
              emphasis: d.value === null ? { disabled: true } : undefined,
              itemStyle: d.highlighted ? { borderColor: "#d4380d", borderWidth: 3 } : undefined,
            })),
          },
        ],
      },
      { notMerge: false },
    );
  }, [data, figureName, outOfScopeText, textColor]);

  return (
    <div
      ref={el}
      style={{ width: "100%", height }}
      data-testid="city-map"
      role="img"
      aria-label="吕梁市地图"
    />
  );
}
