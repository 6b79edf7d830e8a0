/**
 * Code lists for filters, imported from the server's own module (src/modules/registry/codes.ts, a
 * pure file without imports), so the screens and the API can never disagree on a code.
 */
export {
  educationLevels,
  enrolmentStatusLabels,
  genderLabels,
  gradeLabels,
  keyLevelLabels,
  ownershipLabels,
  schoolTypes,
  staffPosts,
  staffStatusLabels,
  stageLabels,
  subjects,
  teacherTitles,
  urbanRuralLabels,
} from "../../../src/modules/registry/codes";

/** Options for an antd Select from a { code: label } record. */
export const optionsOf = (labels: Record<string | number, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));
