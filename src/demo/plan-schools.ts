import { type SchoolType, type Stage, schoolTypeByCode } from "../modules/registry/codes.js";
import { type CountyShape, type Point, randomPointIn } from "./geo.js";
import { type CountyProfile, countyProfiles, streetNames } from "./places.js";
import { apportion, Random } from "./random.js";
import { type Area, SchoolNamer } from "./school-names.js";

/**
 * The schools of the full-size city, before people: type, ownership, place, name, address,
 * coordinates and a relative size. The mix is set so that the city has about 1,500 current schools
 * and kindergartens, as Lüliang does; the numbers per kind are the demo's, not statistics.
 */
export interface PlannedSchool {
  /** Assigned once the county's schools are planned (see planSchools). */
  code: string;
  name: string;
  county: CountyProfile;
  type: SchoolType;
  ownership: "public" | "private";
  /** Private kindergartens recognised as 普惠 (inclusive); null for every other school. */
  inclusive: boolean | null;
  area: Area;
  place: string;
  boarding: boolean;
  address: string;
  point: Point;
  validFrom: string;
  /** Relative size of each stage the school teaches (students are apportioned by it). */
  stageWeights: Partial<Record<Stage, number>>;
  /** Grades taught (teaching points teach only the lower grades). */
  grades: number[];
  /** Staff quality, around 1: scales the share of 骨干 and well-qualified teachers. */
  quality: number;
  /** One of the few schools whose classes run over the size limit (大班额). */
  overcrowded: boolean;
  /** Set when the school was merged (撤并) into a successor or closed: it is no longer current. */
  ended?: { validTo: string; reason: "merged" | "closed"; successor: PlannedSchool | null };
  /** Set on a successor: the date it took in a merged school, and whether it boarded before. */
  absorbed?: { on: string; predecessor: PlannedSchool; boardingBefore: boolean };
}

interface SchoolKind {
  type: string;
  ownership: "public" | "private";
  /** How many in the whole city. */
  total: number;
  /** County weight for spreading `total` over the counties. */
  weight: (c: CountyProfile) => number;
  /** At least this many in every county. */
  min?: number;
  /** Chance of 城区 / 镇区 for a county with half its people in the seat (the rest are 乡村). */
  urban: number;
  town: number;
}

const pop = (c: CountyProfile) => c.population;
const urbanPop = (c: CountyProfile) => c.population * c.urbanShare ** 2;
const ruralPop = (c: CountyProfile) => c.population * (1.4 - c.urbanShare);

const kinds: SchoolKind[] = [
  { type: "342", ownership: "public", total: 28, weight: pop, min: 1, urban: 0.85, town: 0.15 },
  { type: "342", ownership: "private", total: 3, weight: urbanPop, urban: 1, town: 0 },
  { type: "341", ownership: "public", total: 20, weight: pop, urban: 0.55, town: 0.45 },
  { type: "341", ownership: "private", total: 2, weight: urbanPop, urban: 1, town: 0 },
  { type: "311", ownership: "public", total: 115, weight: pop, urban: 0.3, town: 0.5 },
  { type: "311", ownership: "private", total: 4, weight: urbanPop, urban: 0.8, town: 0.2 },
  { type: "211", ownership: "public", total: 350, weight: ruralPop, urban: 0.14, town: 0.36 },
  { type: "211", ownership: "private", total: 6, weight: urbanPop, urban: 0.8, town: 0.2 },
  {
    type: "218",
    ownership: "public",
    total: 205,
    weight: (c) => c.population * (1 - c.urbanShare) ** 1.5,
    urban: 0,
    town: 0,
  },
  { type: "312", ownership: "public", total: 85, weight: ruralPop, urban: 0.1, town: 0.45 },
  { type: "312", ownership: "private", total: 8, weight: urbanPop, urban: 0.75, town: 0.25 },
  { type: "345", ownership: "private", total: 3, weight: urbanPop, urban: 1, town: 0 },
  { type: "111", ownership: "public", total: 330, weight: pop, min: 4, urban: 0.22, town: 0.4 },
  {
    type: "111",
    ownership: "private",
    total: 300,
    weight: (c) => c.population * (0.4 + c.urbanShare),
    urban: 0.55,
    town: 0.35,
  },
];

/** Code order inside a county: the 学校标识码 sequence numbers run through the types in this order. */
const codeOrder = ["211", "218", "312", "311", "341", "342", "345", "361", "364", "365", "513", "514", "111"];
const areaOrder: Record<Area, number> = { urban: 0, town: 1, rural: 2 };

/** Vocational and special schools: one 职业中学 per county, the rest where people are. */
function vocationalAndSpecial(rank: number): { type: string }[] {
  const out = [{ type: "364" }];
  if (rank < 5) out.push({ type: "361" });
  if (rank < 4) out.push({ type: "365" });
  if (rank < 2) out.push({ type: "364" });
  if (rank < 12) out.push({ type: "514" }); // every county but the smallest has a 特殊教育学校
  if (rank < 3) out.push({ type: "513" });
  return out;
}

/**
 * Plans every school of the full-size city, county by county, with school codes: county code plus
 * a 4-digit sequence (the demo's convention for the 10-digit 学校标识码; real codes are issued by
 * the Ministry's registry and carry no meaning).
 */
export function planSchools(seed: string, shapes: CountyShape[]): Map<string, PlannedSchool[]> {
  const byPopulation = [...countyProfiles].sort((a, b) => b.population - a.population);
  const history = planHistory(seed);
  const perCounty = new Map(countyProfiles.map((c) => [c.code, [] as PlannedSchool[]]));
  const counts = kinds.map((k) => {
    const base = countyProfiles.map(() => k.min ?? 0);
    const rest = apportion(k.total - base.reduce((s, b) => s + b, 0), countyProfiles.map(k.weight));
    return base.map((b, i) => b + rest[i]);
  });
  for (const [ci, county] of countyProfiles.entries()) {
    const rng = Random.derive(seed, "schools", county.code);
    const shape = shapes.find((s) => s.code === county.code);
    if (!shape) throw new Error(`no shape for county ${county.code}`);
    const centers = placeCenters(rng, county, shape);
    const namer = new SchoolNamer(county.name, rng);
    const schools: PlannedSchool[] = [];
    const make = (type: string, ownership: "public" | "private", area: Area, place?: string) =>
      makeSchool(rng, namer, county, shape, centers, type, ownership, area, place);
    const add = (type: string, ownership: "public" | "private", area: Area) => {
      const school = make(type, ownership, area);
      schools.push(school);
      return school;
    };
    for (const [ki, kind] of kinds.entries())
      for (let n = 0; n < counts[ki][ci]; n++) add(kind.type, kind.ownership, pickArea(rng, kind, county));
    for (const { type } of vocationalAndSpecial(byPopulation.indexOf(county)))
      add(type, "public", rng.chance(0.8) ? "urban" : "town");
    if (county.code === "141102") {
      // The demo accounts' school: the city seat's largest primary school, always code 1411020001.
      const lead = schools.find(
        (s) => s.type.code === "211" && s.area === "urban" && s.ownership === "public",
      );
      if (lead) lead.stageWeights.primary = 15;
    }
    const merger = history.mergers.find((m) => m.countyCode === county.code);
    if (merger) schools.push(planMerger(schools, merger.on, make));
    if (history.closedIn === county.code) {
      // A private kindergarten that closed in the summer of 2022: no successor, no current children.
      const closed = add("111", "private", "town");
      closed.ended = { validTo: "2022-07-01", reason: "closed", successor: null };
      closed.stageWeights = {};
    }
    const sorted = schools
      .map((s, i) => ({ s, i }))
      .sort(
        (x, y) =>
          codeOrder.indexOf(x.s.type.code) - codeOrder.indexOf(y.s.type.code) ||
          (x.s.ownership === y.s.ownership ? 0 : x.s.ownership === "public" ? -1 : 1) ||
          areaOrder[x.s.area] - areaOrder[y.s.area] ||
          x.i - y.i,
      );
    sorted.forEach(({ s }, i) => {
      s.code = `${county.code}${String(i + 1).padStart(4, "0")}`;
    });
    perCounty.set(
      county.code,
      sorted.map(({ s }) => s),
    );
  }
  return perCounty;
}

/**
 * Eight rural schools merged (撤并) in 2021 and 2022 into a town school of the same county, which
 * then took boarders; one private kindergarten closed. Which counties: eight of the more rural
 * ones, chosen by the seed.
 */
function planHistory(seed: string) {
  const rng = Random.derive(seed, "history");
  const rural = rng.shuffle(countyProfiles.filter((c) => c.urbanShare < 0.55).map((c) => c.code));
  const mergers = rural
    .slice(0, 8)
    .map((countyCode, i) => ({ countyCode, on: i < 4 ? "2021-09-01" : "2022-09-01" }));
  return { mergers, closedIn: rng.pick(countyProfiles.filter((c) => c.urbanShare >= 0.5)).code };
}

function planMerger(
  schools: PlannedSchool[],
  on: string,
  make: (type: string, ownership: "public" | "private", area: Area, place?: string) => PlannedSchool,
): PlannedSchool {
  const candidates = schools.filter(
    (s) => s.ownership === "public" && ["211", "312"].includes(s.type.code) && s.area !== "urban",
  );
  const successor = candidates.find((s) => s.area === "town") ?? candidates[0];
  // The village school stood in the successor's town; its pupils moved there.
  const predecessor = make("211", "public", "rural", successor.place);
  predecessor.ended = { validTo: on, reason: "merged", successor };
  predecessor.stageWeights = {};
  successor.absorbed = { on, predecessor, boardingBefore: successor.boarding };
  successor.boarding = true;
  return predecessor;
}

function placeCenters(rng: Random, county: CountyProfile, shape: CountyShape): Map<string, Point> {
  const centers = new Map<string, Point>();
  for (const a of county.urbanAreas) centers.set(a, randomPointIn(shape, rng, shape.center, 0.02));
  for (const t of county.towns) centers.set(t, randomPointIn(shape, rng));
  return centers;
}

function pickArea(rng: Random, kind: SchoolKind, county: CountyProfile): Area {
  const tilt = county.urbanShare / 0.5;
  const urban = Math.min(0.95, kind.urban * tilt);
  const town = Math.min(1 - urban, kind.town);
  const x = rng.next();
  return x < urban ? "urban" : x < urban + town ? "town" : "rural";
}

/** Founding years by type: old village schools, recent 一贯制 consolidations, 2000s private kindergartens. */
const foundedBetween: Record<string, [number, number]> = {
  "111": [1956, 2016],
  "211": [1950, 1995],
  "218": [1958, 1985],
  "311": [1958, 2002],
  "312": [2005, 2017],
  "341": [1945, 1990],
  "342": [1940, 1995],
  "345": [2008, 2016],
};

function makeSchool(
  rng: Random,
  namer: SchoolNamer,
  county: CountyProfile,
  shape: CountyShape,
  centers: Map<string, Point>,
  typeCode: string,
  ownership: "public" | "private",
  area: Area,
  fixedPlace?: string,
): PlannedSchool {
  const type = schoolTypeByCode.get(typeCode)!;
  const place = fixedPlace ?? (area === "urban" ? rng.pick(county.urbanAreas) : rng.pick(county.towns));
  const { name, village } = namer.name(typeCode, area, place, ownership === "private");
  const center = centers.get(place)!;
  const point = randomPointIn(shape, rng, center, area === "urban" ? 0.012 : area === "town" ? 0.008 : 0.07);
  const address =
    area === "urban" || !village
      ? `山西省吕梁市${county.name}${place}${rng.pick(streetNames)}${rng.int(1, 399)}号`
      : `山西省吕梁市${county.name}${place}${village}${village.endsWith("村") ? "" : "村"}`;
  let [from, to] = foundedBetween[typeCode] ?? [1978, 2012];
  if (ownership === "private") [from, to] = [Math.max(from, 2000), Math.max(to, 2018)];
  const quality = rng.spread(0.35) * (area === "urban" ? 1.25 : area === "town" ? 1 : 0.75);
  return {
    code: "",
    name,
    county,
    type,
    ownership,
    inclusive: typeCode === "111" && ownership === "private" ? rng.chance(0.62) : null,
    area,
    place,
    boarding: rng.chance(boardingChance(typeCode, area)),
    address,
    point,
    validFrom: `${rng.int(from, to)}-09-01`,
    stageWeights: stageWeights(rng, typeCode, area, ownership),
    grades: gradesOf(rng, typeCode),
    quality,
    overcrowded: area === "urban" && ["211", "311", "312"].includes(typeCode) && rng.chance(0.12),
  };
}

/** Boarding (寄宿制) is mostly for rural junior and nine-year schools, and for county high schools. */
function boardingChance(type: string, area: Area): number {
  if (type === "111" || type === "218") return 0;
  if (type === "311" || type === "312") return area === "rural" ? 0.75 : area === "town" ? 0.5 : 0.08;
  if (type === "211") return area === "rural" ? 0.12 : area === "town" ? 0.08 : 0;
  if (type === "341" || type === "342") return 0.6;
  return 0.4;
}

/**
 * Relative sizes by stage (an urban public 小学 ≈ 9, a village 小学 ≈ 0.9): the county's enrolment
 * in each stage is shared out over its schools by these weights, with some spread.
 */
function stageWeights(
  rng: Random,
  type: string,
  area: Area,
  ownership: string,
): Partial<Record<Stage, number>> {
  const by = (u: number, t: number, r: number) =>
    (area === "urban" ? u : area === "town" ? t : r) * rng.spread(0.3);
  const priv = ownership === "private";
  switch (type) {
    case "111":
      return { preschool: priv ? by(1.5, 1, 0.5) : by(2.5, 1.5, 0.45) };
    case "211":
      return { primary: priv ? by(4, 3, 2) : by(9, 3.5, 0.8) };
    case "218":
      return {};
    case "311":
      return { junior: priv ? by(4, 3, 2) : by(9, 3.5, 1.2) };
    case "312":
      return priv
        ? { primary: by(4, 3, 2), junior: by(2, 1.5, 1) }
        : { primary: by(6, 2.5, 0.8), junior: by(3, 1.2, 0.4) };
    case "341":
      return { junior: by(5, 3, 2), senior: by(5, 3, 2) };
    case "342":
      return { senior: priv ? by(3, 2, 2) : by(10, 5, 3) };
    case "345":
      return { primary: by(3, 2, 2), junior: by(2, 2, 2), senior: by(1.5, 1, 1) };
    case "361":
      return { vocational: by(1.5, 1.2, 1) };
    case "364":
      return { vocational: by(1, 0.8, 0.8) };
    case "365":
      return { vocational: by(0.8, 0.6, 0.6) };
    default:
      return { special: by(1, 0.8, 0.8) };
  }
}

function gradesOf(rng: Random, type: string): number[] {
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  switch (type) {
    case "111":
      return range(-2, 0);
    case "211":
      return range(1, 6);
    case "218":
      // 教学点 keep the youngest children near home; older ones board at the central school.
      return range(1, rng.chance(0.5) ? 3 : 4);
    case "311":
      return range(7, 9);
    case "312":
      return range(1, 9);
    case "341":
      return range(7, 12);
    case "342":
    case "361":
    case "364":
    case "365":
      return range(10, 12);
    case "345":
      return range(1, 12);
    default:
      return range(1, 9);
  }
}
