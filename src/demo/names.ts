import { type Random, WeightedTable } from "./random.js";

/**
 * Surnames with relative weights: the national ranking (王 李 张 刘 … , Ministry of Public Security
 * 2020 name report) adjusted by hand towards Shanxi, where 郭, 高, 武, 贺, 任, 闫, 薛 are more common.
 * Approximate; they only make names look plausible.
 */
const surnameWeights: [string, number][] = [
  ["王", 8.5],
  ["李", 7.5],
  ["张", 7],
  ["刘", 6],
  ["郭", 3.5],
  ["杨", 3.2],
  ["赵", 3],
  ["高", 3],
  ["武", 2.2],
  ["贺", 2],
  ["任", 1.8],
  ["马", 1.6],
  ["白", 1.6],
  ["陈", 1.5],
  ["薛", 1.3],
  ["冯", 1.3],
  ["韩", 1.3],
  ["孙", 1.2],
  ["田", 1.2],
  ["梁", 1.1],
  ["宋", 1],
  ["吴", 0.9],
  ["周", 0.9],
  ["曹", 0.9],
  ["闫", 0.8],
  ["贾", 0.8],
  ["郝", 0.8],
  ["成", 0.8],
  ["崔", 0.8],
  ["乔", 0.8],
  ["霍", 0.7],
  ["牛", 0.7],
  ["侯", 0.7],
  ["秦", 0.6],
  ["温", 0.6],
  ["段", 0.6],
  ["范", 0.6],
  ["康", 0.6],
  ["孟", 0.6],
  ["常", 0.6],
  ["史", 0.6],
  ["董", 0.6],
  ["石", 0.6],
  ["胡", 0.6],
  ["朱", 0.6],
  ["冀", 0.5],
  ["雷", 0.5],
  ["申", 0.5],
  ["岳", 0.5],
  ["徐", 0.5],
  ["许", 0.5],
  ["程", 0.5],
  ["吕", 0.5],
  ["樊", 0.5],
  ["卫", 0.4],
  ["穆", 0.4],
  ["苏", 0.4],
  ["姚", 0.4],
  ["米", 0.3],
  ["邓", 0.3],
  ["薄", 0.3],
  ["渠", 0.3],
  ["尹", 0.3],
  ["兰", 0.3],
  ["燕", 0.2],
  ["呼", 0.2],
  ["药", 0.1],
];
const surnames = new WeightedTable(
  surnameWeights.map(([s]) => s),
  surnameWeights.map(([, w]) => w),
);

/** Characters of given names, by sex and by generation (children born after 2005; adults before). */
const given = {
  young: {
    M: "浩宇轩博睿泽俊杰鹏昊子铭航晨阳天一凯嘉文明志磊鑫涛豪毅栋辰锦煜皓宸逸然翔硕诚瑞锐峰恒家凡卓奕景沐泊昕乐安",
    F: "欣怡雨涵梓萱佳琪思诗语可馨悦彤雅婷静敏慧瑶妍琳晓璐娜倩蕊芳欢嘉若月心宁洁晴艺茜依梦雪菲诺一子沫",
  },
  adult: {
    M: "建国军伟平勇强斌亮刚峰海云东明春宏志忠文武杰俊鹏飞斌涛波辉华龙兵彪生林庆红贵旺福德胜利永",
    F: "红英华平玉秀兰芳丽霞燕梅艳静娟敏慧琴凤珍云洁萍莉婷娜丹琳雪莲春桂荣晓彩花翠芬玲瑞淑",
  },
};

export type Gender = "M" | "F";

/** A plausible full name: surname plus one or two given-name characters. */
export function personName(rng: Random, gender: Gender, generation: "young" | "adult"): string {
  const pool = given[generation][gender];
  const first = pool[Math.floor(rng.next() * pool.length)];
  // One-character given names are rarer among children than among their parents' generation.
  const single = rng.chance(generation === "young" ? 0.12 : 0.3);
  if (single) return surnames.draw(rng) + first;
  return surnames.draw(rng) + first + pool[Math.floor(rng.next() * pool.length)];
}
