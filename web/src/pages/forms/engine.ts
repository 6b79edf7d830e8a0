/**
 * The forms validation engine, imported from the server's own module
 * (src/modules/forms/validation.ts, a pure file without imports): the entry screen checks a return
 * as it is typed with the very code, and the form's own rules (GET /api/forms/:code), that the
 * server applies on save and submit. The server stays the authority; this only shows its verdict early.
 */
export {
  checkReturn,
  type FormRule,
  type FormValue,
  isNumeric,
  missingRequired,
  type ValueIssue,
  valueKey,
} from "../../../../src/modules/forms/validation";
