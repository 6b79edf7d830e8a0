import { luliangCounties, stageOfGrade } from "../modules/registry/codes.js";
import type { DemoClassGroup, DemoStatusHistory, DemoStudent, DemoStudentBatch } from "./model.js";
import { SCHOOL_YEAR } from "./model.js";
import { personName } from "./names.js";
import { birthWindow, dayOf, isoDay, ResidentIdAllocator } from "./people.js";
import type { PlannedSchool } from "./plan-schools.js";
import { Random } from "./random.js";

/** A kept school with its ids, as the student stream needs it. */
export interface StudentSchool {
  school: PlannedSchool;
  id: number;
  path: string;
  classes: DemoClassGroup[];
  /** The merged schools whose pupils it took in, with their org unit ids. */
  merges: { on: string; predecessor: PlannedSchool; predecessorId: number }[];
}

/** Boys at birth in Shanxi in the 2010s: about 107–110 per 100 girls. */
const MALE_SHARE = 0.52;
/** A sprinkling of status changes during the 2022–2023 year (the demo's rates). */
const SUSPENDED_RATE = 0.003;
const TRANSFERRED_RATE = 0.004;
const transferNotes = ["随父母工作调动转学至太原市", "转学至外省市", "随迁转学至晋中市", "转学至外县"];

/**
 * The students, school by school, class by class, as a lazy stream: 550,000 rows are never held at
 * once. The same seed gives the same students in the same order (the ID allocator is the only
 * state carried from school to school, and the order is fixed).
 */
export function* studentBatches(
  seed: string,
  schools: StudentSchool[],
  firstId = 1,
): Generator<DemoStudentBatch> {
  const ids = new ResidentIdAllocator(luliangCounties.map((c) => c.code));
  const windows = new Map<number, string[]>();
  const windowOf = (g: number) => {
    let w = windows.get(g);
    if (!w) {
      w = birthWindow(SCHOOL_YEAR, g);
      windows.set(g, w);
    }
    return w;
  };
  let nextId = firstId;
  for (const s of schools) {
    const rng = Random.derive(seed, "students", s.school.code);
    const countyCode = s.school.county.code;
    const firstGrade = s.school.grades[0];
    const merged = mergedSelections(rng, s);
    const batch: DemoStudentBatch = { students: [], history: [] };
    for (const c of s.classes) {
      const window = windowOf(c.grade);
      // Seniors of a 完全中学 were admitted at grade 10 (中考); everyone else at the school's first grade.
      const entryGrade = c.stage === "senior" ? Math.max(10, firstGrade) : firstGrade;
      // Not before the school opened: pupils of a new school came from schools nearby.
      const entered = `${SCHOOL_YEAR - (c.grade - entryGrade)}-09-01`;
      const enrolledOn = entered < s.school.validFrom ? s.school.validFrom : entered;
      for (let i = 0; i < c.size; i++) {
        const gender = rng.chance(MALE_SHARE) ? "M" : "F";
        const birthDate = window[Math.floor(rng.next() * window.length)];
        const residentId = ids.allocate(countyCode, birthDate, gender);
        const student: DemoStudent = {
          id: batch.students.length, // the index in this batch, until the ids are given below
          studentNumber: `G${residentId}`,
          name: personName(rng, gender, "young"),
          gender,
          residentId,
          birthDate,
          schoolId: s.id,
          orgPath: s.path,
          countyCode,
          stage: stageOfGrade(c.grade, s.school.type),
          grade: c.grade,
          classGroupId: c.id,
          status: "enrolled",
          enrolledOn,
        };
        batch.students.push(student);
        const from = merged.find(
          (m) => c.grade >= m.minGrade && c.grade <= m.maxGrade && rng.chance(m.share),
        );
        if (from) {
          student.enrolledOn = from.on;
          batch.history.push(
            {
              studentId: student.id,
              status: "enrolled",
              schoolId: from.predecessorId,
              effectiveOn: `${SCHOOL_YEAR - (c.grade - from.firstGrade)}-09-01`,
              note: "入学",
            },
            {
              studentId: student.id,
              status: "enrolled",
              schoolId: s.id,
              effectiveOn: from.on,
              note: `原${from.name}撤并，随班并入本校`,
            },
          );
        } else if (c.grade >= 1) changeStatus(rng, student, batch.history);
      }
    }
    nextId = sortAndNumber(batch, nextId);
    yield batch;
  }
}

/**
 * Orders a school's students by 学籍号 and numbers them from `nextId`. The stream then arrives sorted
 * by (org_path, student_number) and by id, the keys of the largest indexes, which PostgreSQL's
 * sort checks for and builds in one pass. Returns the next free id.
 */
function sortAndNumber(batch: DemoStudentBatch, nextId: number): number {
  const local = batch.students.slice();
  batch.students.sort((a, b) =>
    a.studentNumber < b.studentNumber ? -1 : a.studentNumber > b.studentNumber ? 1 : 0,
  );
  for (const s of batch.students) s.id = nextId++;
  for (const h of batch.history) h.studentId = local[h.studentId].id;
  batch.history.sort((a, b) => a.studentId - b.studentId);
  return nextId;
}

/**
 * For each merged school a successor took in: which of its grades hold pupils who came from there,
 * and what share of them. A pupil moved if they were at the merged school the year before it closed
 * (a pupil in grade g in 2022–2023 was in grade g − (2022 − year) − 1 then) and stayed in the
 * same stage (a 小学 pupil who moved up to 初中 went elsewhere).
 */
function mergedSelections(rng: Random, s: StudentSchool) {
  const out: {
    minGrade: number;
    maxGrade: number;
    firstGrade: number;
    share: number;
    on: string;
    name: string;
    predecessorId: number;
  }[] = [];
  for (const m of s.merges) {
    const grades = m.predecessor.grades;
    const firstGrade = grades[0];
    const years = SCHOOL_YEAR - Number(m.on.slice(0, 4));
    const minGrade = firstGrade + years + 1;
    const maxGrade = Math.min(grades[grades.length - 1] + years + 1, firstGrade >= 7 ? 9 : 6);
    const eligible = s.classes
      .filter((c) => c.grade >= minGrade && c.grade <= maxGrade)
      .reduce((n, c) => n + c.size, 0);
    if (eligible === 0) continue;
    const wanted = rng.int(12, 45);
    out.push({
      minGrade,
      maxGrade,
      firstGrade,
      share: Math.min(1, wanted / eligible),
      on: m.on,
      name: m.predecessor.name,
      predecessorId: m.predecessorId,
    });
  }
  return out;
}

function changeStatus(rng: Random, student: DemoStudent, history: DemoStatusHistory[]) {
  const x = rng.next();
  if (x >= SUSPENDED_RATE + TRANSFERRED_RATE) return;
  const suspended = x < SUSPENDED_RATE;
  const on = isoDay(dayOf(`${SCHOOL_YEAR}-09-10`) + rng.int(0, 150));
  history.push(
    {
      studentId: student.id,
      status: "enrolled",
      schoolId: student.schoolId,
      effectiveOn: student.enrolledOn,
      note: "入学",
    },
    {
      studentId: student.id,
      status: suspended ? "suspended" : "transferred",
      schoolId: student.schoolId,
      effectiveOn: on,
      note: suspended ? "因病休学" : rng.pick(transferNotes),
    },
  );
  student.status = suspended ? "suspended" : "transferred";
  // A student who left no longer sits in a class of this school.
  if (!suspended) student.classGroupId = null;
}
