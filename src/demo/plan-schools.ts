import { type SchoolType, type Stage, schoolTypeByCode } from "../modules/registry/codes.js";
import { type CountyShape, type Point, randomPointIn } from "./geo.js";
import { type CountyProfile, countyProfiles, streetNames } from "./places.js";
import { apportion, Random, WeightedTable } from "./random.js";
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
  /**
   * Set on a successor: the merged schools it took in, each with the date (in date order), and
   * whether it boarded before the first of them (`boarding` is what it does after).
   */
  absorbed?: { boardingBefore: boolean; merges: Merge[] };
  /** Set on a school newly built (新建) in 2021 or 2022: its validFrom is its opening day. */
  opened?: true;
}

export interface Merge {
  on: string;
  predecessor: PlannedSchool;
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
  const openingCounts = openingKinds.map((o) => apportion(o.total, countyProfiles.map(o.weight)));
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
    const openRng = Random.derive(seed, "openings", county.code);
    for (const [oi, o] of openingKinds.entries()) openSchools(openRng, schools, o, openingCounts[oi][ci]);
    const mergeRng = Random.derive(seed, "mergers", county.code);
    schools.push(...planMergers(mergeRng, schools, history.mergers.get(county.code) ?? [], make));
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
 * Schools newly built (新建) and registered in 2021 and 2022, for the whole city: the demo's figures,
 * set against the 2022 plan's targets (工作要点第3项: 新改扩建48所普惠性幼儿园; 新建、改扩建19所义务教育
 * 阶段学校和60所寄宿制学校). The registry sees only the new ones (改扩建 changes no registration), so
 * the demo meets the kindergarten target (35 public + 16 普惠 private = 51) and falls short on new
 * compulsory schools (5 + 7 + 3 = 15) and, far, on new boarding schools (7 + 3 + 1 = 11).
 * Existing planned schools are re-dated rather than added, so the city keeps its size.
 */
interface OpeningKind {
  year: 2021 | 2022;
  type: string;
  ownership: "public" | "private";
  /** For private kindergartens: 普惠 or not. */
  inclusive?: boolean;
  /** Only schools of this 城乡 are re-dated (any when unset). */
  area?: Area;
  /** Built as a boarding school (寄宿制). */
  boarding?: boolean;
  /** Grades taught in 2022–2023 when it opens with the lower grades only. */
  grades?: number[];
  total: number;
  weight: (c: CountyProfile) => number;
}

const openingKinds: OpeningKind[] = [
  { year: 2022, type: "111", ownership: "public", total: 35, weight: pop },
  { year: 2022, type: "111", ownership: "private", inclusive: true, total: 16, weight: urbanPop },
  { year: 2022, type: "111", ownership: "private", inclusive: false, total: 6, weight: urbanPop },
  // New urban primary schools of the growing county seats: the first three grades (一年级新生 and
  // pupils moved from crowded schools nearby).
  {
    year: 2022,
    type: "211",
    ownership: "public",
    area: "urban",
    grades: [1, 2, 3],
    total: 5,
    weight: urbanPop,
  },
  // Boarding 九年一贯制 and junior schools built in the towns to take in merged village schools.
  { year: 2022, type: "312", ownership: "public", area: "town", boarding: true, total: 7, weight: ruralPop },
  { year: 2022, type: "311", ownership: "public", area: "town", boarding: true, total: 3, weight: ruralPop },
  // A new high school: its first 高一 only.
  {
    year: 2022,
    type: "342",
    ownership: "public",
    area: "urban",
    boarding: true,
    grades: [10],
    total: 1,
    weight: pop,
  },
  { year: 2021, type: "111", ownership: "public", total: 12, weight: pop },
  { year: 2021, type: "111", ownership: "private", inclusive: true, total: 5, weight: urbanPop },
  { year: 2021, type: "111", ownership: "private", inclusive: false, total: 2, weight: urbanPop },
  {
    year: 2021,
    type: "211",
    ownership: "public",
    area: "urban",
    grades: [1, 2, 3, 4],
    total: 2,
    weight: urbanPop,
  },
  { year: 2021, type: "312", ownership: "public", area: "town", boarding: true, total: 2, weight: ruralPop },
];

/**
 * Re-dates `n` of a county's planned schools of one kind as opened in `o.year`: a new school is
 * smaller than an established one (its classes fill up over the years). Flagship schools (实验,
 * the county's first high school) keep their history.
 */
function openSchools(rng: Random, schools: PlannedSchool[], o: OpeningKind, n: number) {
  if (n === 0) return;
  const candidates = schools.filter(
    (s) =>
      !s.opened &&
      s.type.code === o.type &&
      s.ownership === o.ownership &&
      (o.inclusive === undefined || s.inclusive === o.inclusive) &&
      (o.area === undefined || s.area === o.area) &&
      !s.name.includes("实验") &&
      !(s.type.code === "342" && !/第.+中学$/.test(s.name)),
  );
  // In town an urban school is named by number in the order built: the new ones are the last.
  const chosen = o.area === "urban" ? candidates.slice(-n) : rng.shuffle(candidates).slice(0, n);
  for (const s of chosen) {
    // Kindergartens open in spring or autumn; schools at the start of the school year.
    s.validFrom = o.type === "111" && rng.chance(0.25) ? `${o.year}-03-01` : `${o.year}-09-01`;
    s.opened = true;
    if (o.boarding !== undefined) s.boarding = o.boarding;
    const gradeShare = o.grades ? o.grades.length / s.grades.length : 1;
    if (o.grades) s.grades = o.grades;
    const factor = (o.year === 2022 ? 0.55 : 0.75) * rng.spread(0.15) * gradeShare;
    for (const k of Object.keys(s.stageWeights) as Stage[]) s.stageWeights[k]! *= factor;
  }
}

/**
 * 撤并 (school mergers) for the whole city, by the day and the 城乡 of the merged school: the demo's
 * figures. The 2022 plan's target is 110 农村薄弱中小学 (工作要点第3项); by the end of 2022 the
 * demo's registry shows 96 rural mergers, so the cockpit has a gap to show. A few 镇区 schools merge
 * too (they do not count towards the rural target). Most mergers take effect at the start of the
 * school year, some at the spring term.
 */
const mergerTotals = [
  { year: 2021, area: "rural", total: 22 },
  { year: 2022, area: "rural", total: 96 },
  { year: 2022, area: "town", total: 3 },
] as const;

interface PlannedMerger {
  on: string;
  area: "rural" | "town";
}

/** The mergers of each county (by rural population) and the county of the one closed kindergarten. */
function planHistory(seed: string) {
  const rng = Random.derive(seed, "history");
  const mergers = new Map<string, PlannedMerger[]>(countyProfiles.map((c) => [c.code, []]));
  for (const t of mergerTotals) {
    const counts = apportion(t.total, countyProfiles.map(t.area === "rural" ? ruralPop : pop));
    countyProfiles.forEach((c, i) => {
      for (let n = 0; n < counts[i]; n++)
        mergers
          .get(c.code)!
          .push({ on: rng.chance(0.2) ? `${t.year}-03-01` : `${t.year}-09-01`, area: t.area });
    });
  }
  return { mergers, closedIn: rng.pick(countyProfiles.filter((c) => c.urbanShare >= 0.5)).code };
}

/**
 * The merged schools of one county, each made here and ended on its day: a village 小学 or 教学点
 * (now and then a village 初中), or a small 镇区 小学, merged into a public school of its town,
 * which then takes boarders (a nine-year or junior school always, a 小学 half the time). A new
 * boarding school opened on the same day is the likeliest
 * successor (it was built for them), then the town's 中心 schools; no school takes in more than four.
 */
function planMergers(
  rng: Random,
  schools: PlannedSchool[],
  mergers: PlannedMerger[],
  make: (type: string, ownership: "public" | "private", area: Area, place?: string) => PlannedSchool,
): PlannedSchool[] {
  const out: PlannedSchool[] = [];
  const taken = new Map<PlannedSchool, number>();
  for (const m of mergers) {
    const junior = m.area === "rural" && rng.chance(0.1);
    const type = m.area === "town" ? "211" : junior ? "311" : rng.chance(0.45) ? "218" : "211";
    const successorTypes = junior ? ["311", "312"] : ["211", "312"];
    const fits = (s: PlannedSchool, area: Area) =>
      s.ownership === "public" &&
      !s.ended &&
      s.area === area &&
      successorTypes.includes(s.type.code) &&
      s.validFrom <= m.on &&
      (taken.get(s) ?? 0) < 4;
    let candidates = schools.filter((s) => fits(s, "town"));
    if (candidates.length === 0) candidates = schools.filter((s) => fits(s, "rural"));
    if (candidates.length === 0) continue;
    const weight = (s: PlannedSchool) =>
      s.opened && s.validFrom === m.on ? 12 : s.name.includes("中心") ? 4 : s.type.code === "312" ? 2 : 1;
    const successor = new WeightedTable(candidates, candidates.map(weight)).draw(rng);
    taken.set(successor, (taken.get(successor) ?? 0) + 1);
    // The merged school stood in the successor's town; its pupils moved there.
    const predecessor = make(type, "public", m.area, successor.place);
    predecessor.ended = { validTo: m.on, reason: "merged", successor };
    predecessor.stageWeights = {};
    if (!successor.absorbed) {
      successor.absorbed = { boardingBefore: successor.boarding, merges: [] };
      // Nine-year and junior schools take boarders from the villages; half the 小学 do.
      if (successor.type.code !== "211" || rng.chance(0.5)) successor.boarding = true;
    }
    successor.absorbed.merges.push({ on: m.on, predecessor });
    successor.absorbed.merges.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
    out.push(predecessor);
  }
  return out;
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
