-- An indicator counted only for the city as a whole (仅市级统计), e.g. 市级专兼职教研员: the staff of
-- the city's own units. A county has no figure of its own for it (always 0), so county views leave it
-- out. Set by the indicator's definition (the package's "cityOnly", or 指标管理); loading a package
-- again applies it to indicators defined before this column existed.
alter table indicator add column city_only boolean not null default false;
