-- 在校生、教职工统计快照 (people census): a period's student and staff counts per school, frozen
-- when the period closes, as the annual education statistics (教育事业统计) freeze them. The
-- registry holds who is enrolled and employed now; without a census, an indicator counted from it
-- (公办率, 普惠率, 民办义务教育在校生占比, 教研员, 名师 …) would show today's counts for every past
-- year, and a change of ±0 between them. The indicator engine (FactsProvider) uses a period's census
-- when it has one; the registry's live counts stand for the periods after the latest census; a
-- period before it without a census has no people counts (无数据).
--
-- `data` is the counts grouped per school as the engine reads them (JSON: facts.ts peopleCodec),
-- `students` and `staff` the totals, for the list.
create table people_census (
  period      text primary key,
  students    int not null,
  staff       int not null,
  data        text not null,
  note        text,
  taken_by    text not null,
  taken_at    timestamptz not null default now()
);
