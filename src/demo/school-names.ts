import { countyShortName, villageName } from "./places.js";
import type { Random } from "./random.js";

/**
 * Plausible school names in the style of the county bureaus' own lists: 离石区第二小学,
 * 临县三交镇中心学校, 孝义市实验幼儿园, 兴县中学, 文水县刘胡兰镇王家庄小学. Names are unique within
 * a county (the namer remembers what it gave out).
 */
export type Area = "urban" | "town" | "rural";

const digits = "零一二三四五六七八九";

/** 1 → 一, 12 → 十二, 21 → 二十一 (enough for ordinal school names). */
export function chineseNumber(n: number): string {
  if (n < 10) return digits[n];
  if (n < 20) return `十${n % 10 ? digits[n % 10] : ""}`;
  return `${digits[Math.floor(n / 10)]}十${n % 10 ? digits[n % 10] : ""}`;
}

const privateBrands = [
  "育英",
  "博文",
  "英才",
  "明德",
  "启航",
  "弘毅",
  "致远",
  "崇德",
  "华杰",
  "新世纪",
  "博雅",
  "培英",
];
const kindergartenBrands = [
  "小天使",
  "金太阳",
  "阳光",
  "启明星",
  "童心",
  "蓝天",
  "博雅",
  "育英",
  "小博士",
  "七彩虹",
  "贝贝",
  "新星",
  "爱心",
  "智慧树",
  "春芽",
  "蒲公英",
  "童乐",
  "小星星",
  "快乐宝贝",
  "金色摇篮",
  "小精灵",
  "东方之星",
];

const urbanSchoolNames = [
  "育才",
  "向阳",
  "东关",
  "西关",
  "南关",
  "北关",
  "城关",
  "新区",
  "滨河",
  "凤鸣",
  "朝阳",
  "文苑",
];

export interface NamedSchool {
  name: string;
  /** The village a rural or small-town school stands in (addresses use it). */
  village: string | null;
}

export class SchoolNamer {
  private readonly used = new Set<string>();
  private readonly ordinals = new Map<string, number>();
  private readonly county: string;
  private readonly short: string;

  constructor(
    countyName: string,
    private readonly rng: Random,
  ) {
    this.county = countyName;
    this.short = countyShortName(countyName);
  }

  /** Names one school of `type` ("111", "211", …) in `place` (an urban area or a town). */
  name(type: string, area: Area, place: string, isPrivate: boolean): NamedSchool {
    for (let attempt = 0; attempt < 30; attempt++) {
      const named = this.candidate(type, area, place, isPrivate, attempt);
      if (!this.used.has(named.name)) {
        this.used.add(named.name);
        return named;
      }
    }
    // Practically unreachable: fall back to an ordinal that cannot collide.
    const n = this.next(`fallback${type}`);
    const name = `${this.county}${place}第${chineseNumber(n)}${suffixOf(type)}`;
    this.used.add(name);
    return { name, village: null };
  }

  private next(key: string, start = 1): number {
    const n = this.ordinals.get(key) ?? start;
    this.ordinals.set(key, n + 1);
    return n;
  }

  private village(): string {
    return villageName((xs) => this.rng.pick(xs));
  }

  private candidate(
    type: string,
    area: Area,
    place: string,
    isPrivate: boolean,
    attempt: number,
  ): NamedSchool {
    const c = this.county;
    if (isPrivate) {
      const brands = type === "111" ? kindergartenBrands : privateBrands;
      const brand = this.rng.pick(brands);
      const where = attempt > 3 ? place.replace(/(街道|镇|乡)$/, "") : "";
      const suffix: Record<string, string> = {
        "111": "幼儿园",
        "211": "小学",
        "311": "中学",
        "312": "学校",
        "341": "中学",
        "342": "高级中学",
        "345": "外国语学校",
      };
      return { name: `${c}${where}${brand}${suffix[type] ?? "学校"}`, village: null };
    }
    const village = area === "urban" ? null : this.village();
    const townFirst = (key: string) => area === "town" && this.next(`${key}:${place}`) === 1;
    switch (type) {
      case "111":
        if (area === "urban")
          return this.next("urbanKg") === 1
            ? { name: `${c}实验幼儿园`, village }
            : { name: `${c}第${chineseNumber(this.next("kgOrdinal"))}幼儿园`, village };
        if (townFirst("kg")) return { name: `${c}${place}中心幼儿园`, village };
        return { name: `${c}${place}${village}幼儿园`, village };
      case "211":
        if (area === "urban")
          return this.next("urbanPrimary") === 1
            ? { name: `${c}实验小学`, village }
            : { name: `${c}第${chineseNumber(this.next("primaryOrdinal", 2))}小学`, village };
        if (townFirst("primary")) return { name: `${c}${place}中心小学`, village };
        return { name: `${c}${place}${village}小学`, village };
      case "218":
        return { name: `${c}${place}${village}教学点`, village };
      case "311":
      case "341":
        if (area === "urban")
          return { name: `${c}第${chineseNumber(this.next("middleOrdinal", 2))}中学`, village };
        if (townFirst("middle"))
          return { name: `${c}${place}${type === "311" ? "初级中学" : "中学"}`, village };
        return { name: `${c}${place}${village}中学`, village };
      case "312":
        if (area === "urban")
          return attempt === 0
            ? { name: `${c}${place.replace(/(街道|镇)$/, "")}学校`, village }
            : { name: `${c}${this.rng.pick(urbanSchoolNames)}实验学校`, village };
        if (townFirst("school")) return { name: `${c}${place}中心学校`, village };
        return { name: `${c}${place}${village}学校`, village };
      case "342":
        if (this.next("senior") === 1) return { name: `${this.short}中学`, village };
        return { name: `${c}第${chineseNumber(this.next("middleOrdinal", 2))}中学`, village };
      case "361":
        return { name: `${c}中等职业技术学校`, village };
      case "364":
        return this.next("vocational") === 1
          ? { name: `${c}职业中学`, village }
          : { name: `${c}第${chineseNumber(this.next("vocationalOrdinal", 2))}职业中学`, village };
      case "365":
        return { name: `${c}技工学校`, village };
      case "513":
        return { name: `${c}培智学校`, village };
      default:
        return { name: `${c}特殊教育学校`, village };
    }
  }
}

function suffixOf(type: string): string {
  if (type === "111") return "幼儿园";
  if (type === "211") return "小学";
  if (type === "218") return "教学点";
  return "学校";
}
