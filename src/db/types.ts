import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Table types, kept by hand beside the migrations in ./migrations (one source: the SQL). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateStr = string; // YYYY-MM-DD
type Json = ColumnType<unknown, string | null | undefined, string | null>;

export interface OrgUnitTable {
  id: Generated<number>;
  code: string;
  kind: "city" | "county" | "school" | "department";
  name: string;
  short_name: string | null;
  parent_id: number | null;
  path: string;
  county_code: string | null;
  school_type: string | null;
  ownership: "public" | "private" | null;
  inclusive: boolean | null;
  urban_rural: "urban" | "town" | "rural" | null;
  boarding: boolean | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  valid_from: ColumnType<DateStr, DateStr | undefined, DateStr>;
  valid_to: DateStr | null;
  successor_id: number | null;
  end_reason: "merged" | "closed" | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrgUnitVersionTable {
  id: Generated<number>;
  org_unit_id: number;
  valid_from: DateStr;
  valid_to: DateStr | null;
  name: string;
  parent_id: number | null;
  path: string;
  school_type: string | null;
  ownership: string | null;
  inclusive: boolean | null;
  urban_rural: string | null;
  boarding: boolean | null;
  successor_id: number | null;
  end_reason: string | null;
  recorded_at: Timestamp;
  /** Why the version began or ended (migration 0004). */
  note: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ClassGroupTable {
  id: Generated<number>;
  school_id: number;
  org_path: string;
  county_code: string;
  school_year: number;
  stage: string;
  grade: number;
  name: string;
  homeroom_staff_number: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Date | null;
}

export type EnrolmentStatus = "enrolled" | "transferred" | "suspended" | "graduated";

export interface StudentTable {
  id: Generated<number>;
  student_number: string;
  name: string;
  gender: "M" | "F";
  resident_id: string | null;
  birth_date: DateStr;
  school_id: number;
  org_path: string;
  county_code: string;
  stage: string;
  grade: number;
  class_group_id: number | null;
  status: ColumnType<EnrolmentStatus, EnrolmentStatus | undefined, EnrolmentStatus>;
  enrolled_on: DateStr | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Date | null;
}

export interface StudentStatusHistoryTable {
  id: Generated<number>;
  student_id: number;
  status: EnrolmentStatus;
  school_id: number;
  effective_on: DateStr;
  note: string | null;
  recorded_at: Timestamp;
  recorded_by: string | null;
}

export interface StaffTable {
  id: Generated<number>;
  staff_number: string;
  name: string;
  gender: "M" | "F";
  resident_id: string | null;
  birth_date: DateStr | null;
  school_id: number;
  org_path: string;
  county_code: string;
  posts: ColumnType<string[], string[] | undefined, string[]>;
  subjects: ColumnType<string[], string[] | undefined, string[]>;
  education: string | null;
  title: string | null;
  key_level: "county" | "city" | "province" | null;
  teaching_certificate: string | null;
  school_start_date: DateStr | null;
  status: ColumnType<"active" | "left" | "retired", "active" | "left" | "retired" | undefined>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Date | null;
}

export interface RoleTable {
  code: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtin: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  password_changed_at: Timestamp;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  last_login_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserScopeTable {
  user_id: number;
  org_unit_id: number;
}

export interface SessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  prefix: string;
  token_hash: string;
  permissions: string[];
  scope_org_ids: number[];
  created_by: number | null;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_type: "user" | "token" | "system" | "public";
  actor_id: number | null;
  actor_name: string;
  action: string;
  entity: string;
  entity_key: string | null;
  org_path: string | null;
  before: Json;
  after: Json;
  context: Json;
}

export type ImportStatus = "validating" | "validated" | "invalid" | "committing" | "committed" | "failed";

export interface ImportJobTable {
  id: string;
  kind: string;
  file_name: string;
  file_size: number;
  file_path: string | null;
  status: ImportStatus;
  phase_detail: string | null;
  rows_total: ColumnType<number, number | undefined, number>;
  rows_done: ColumnType<number, number | undefined, number>;
  rows_valid: ColumnType<number, number | undefined, number>;
  error_count: ColumnType<number, number | undefined, number>;
  inserted: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  message: string | null;
  created_by: number | null;
  created_by_name: string;
  scope_paths: string[];
  created_at: Timestamp;
  finished_at: Date | null;
  committed_at: Date | null;
  // 0003-exchange
  progress: ColumnType<number, number | undefined, number>;
  sheet_name: string | null;
  stage_table: string | null;
  actor_type: ColumnType<string, string | undefined, string>;
  committed_by_name: string | null;
  errors_stored: ColumnType<number, number | undefined, number>;
  header_row: number | null;
}

export interface ImportErrorTable {
  job_id: string;
  row_number: number;
  column_name: string;
  value: string | null;
  reason: string;
}

// --- files (0050) ---
export interface FileUploadTable {
  id: string;
  sha256: string;
  size: ColumnType<number, number, number>;
  mime: "image/jpeg" | "image/png" | "application/pdf";
  name: string;
  uploaded_by: number | null;
  created_at: Timestamp;
  claimed_at: Date | null;
  claimed_for: string | null;
}

// --- reports (0051) ---
export interface ReportReceiptTable {
  case_id: number;
  code: string;
  secret_hash: string;
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  created_at: Timestamp;
}
export interface ReportContactTable {
  case_id: number;
  name: string;
  phone: string | null;
  email: string | null;
}
export interface ReportQuestionTable {
  id: Generated<number>;
  case_id: number;
  asked_at: Timestamp;
  asked_by: number | null;
  question: string;
  answered_at: Date | null;
  answer: string | null;
  answer_attachments: Json;
}
export interface EthicsNegativeEntryTable {
  id: Generated<number>;
  staff_id: number;
  org_path: string;
  county_code: string;
  category: string;
  finding: string;
  measure: string;
  decided_on: DateStr;
  source_case_id: number | null;
  recorded_by: string;
  created_at: Timestamp;
}

// --- training (0052) ---
type Numeric = ColumnType<string | number | null, string | null | undefined, string | null>;
export interface TrainingInstitutionTable {
  id: Generated<number>;
  name: string;
  credit_code: string | null;
  category: "academic" | "non_academic";
  subjects: ColumnType<string[], string[] | undefined, string[]>;
  licence_no: string | null;
  licence_valid_to: DateStr | null;
  online: ColumnType<boolean, boolean | undefined, boolean>;
  address: string | null;
  county_code: string;
  org_path: string;
  prepay_bank: string | null;
  prepay_account: string | null;
  status: ColumnType<"operating" | "suspended" | "closed", string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface TrainingRuleTable {
  code: string;
  label: string;
  value: Numeric;
  unit: string | null;
  applies_to: "academic" | "non_academic" | "all";
  basis: string;
}
export interface TrainingInspectionTable {
  id: Generated<number>;
  institution_id: number;
  org_path: string;
  county_code: string;
  inspected_on: DateStr;
  inspectors: string;
  note: string | null;
  created_by: string;
  created_at: Timestamp;
}
export interface TrainingFindingTable {
  id: Generated<number>;
  inspection_id: number;
  rule_code: string;
  measured: Numeric;
  detail: string;
  case_id: number | null;
}
// --- end files, reports, training ---

export interface SchemaMigrationTable {
  name: string;
  applied_at: Timestamp;
}

// health: vision screenings (0030)
export interface VisionScreeningTable {
  id: Generated<number>;
  student_id: number;
  school_id: number;
  org_path: string;
  county_code: string;
  screened_on: string;
  age_years: number;
  grade: number;
  /** numeric: strings from the driver */
  va_left: string;
  va_right: string;
  se_left: string;
  se_right: string;
  institution: string | null;
  import_job_id: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

// --- forms (migration 0010): data elements, forms, reporting rounds, submissions, values ---
export interface DataElementTable {
  id: Generated<number>;
  code: string;
  name: string;
  value_type: "integer" | "number" | "percentage" | "boolean" | "text" | "choice";
  unit: string | null;
  options: Json;
  disaggregation: Json;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormTable {
  id: Generated<number>;
  code: string;
  name: string;
  description: string | null;
  period_type: "year" | "school_year" | "term" | "quarter" | "month";
  reporter_types: string[];
  rules: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormElementTable {
  form_id: number;
  element_id: number;
  position: number;
  section: string | null;
  required: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface FormPeriodTable {
  form_id: number;
  period_code: string;
  due_date: DateStr;
  lock_after_due: ColumnType<boolean, boolean | undefined, boolean>;
  opened_at: Timestamp;
  opened_by: string | null;
}

export type SubmissionStatus = "draft" | "submitted" | "approved" | "returned" | "accepted";

export interface FormSubmissionTable {
  id: Generated<number>;
  form_id: number;
  period_code: string;
  org_unit_id: number;
  org_path: string;
  county_code: string;
  status: ColumnType<SubmissionStatus, SubmissionStatus | undefined, SubmissionStatus>;
  comment: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  accepted_at: Date | null;
  accepted_by: string | null;
  returned_at: Date | null;
  returned_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormSubmissionEventTable {
  id: Generated<number>;
  submission_id: number;
  action: string;
  from_status: string | null;
  to_status: string;
  comment: string | null;
  actor_name: string;
  at: Timestamp;
  org_path: string;
  county_code: string;
}

export interface FormValueTable {
  submission_id: number;
  element_id: number;
  disaggregation: ColumnType<string, string | undefined, string>;
  num_value: number | null;
  bool_value: boolean | null;
  text_value: string | null;
  period_code: string;
  org_unit_id: number;
  org_path: string;
  county_code: string;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface FormValueHistoryTable {
  id: Generated<number>;
  submission_id: number;
  element_id: number;
  disaggregation: ColumnType<string, string | undefined, string>;
  old_value: string | null;
  new_value: string | null;
  changed_at: Timestamp;
  changed_by: string;
  via: ColumnType<string, string | undefined, string>;
  org_path: string;
  county_code: string;
}
// --- end forms ---
// indicators (migration 0020)
export interface IndicatorGroupTable {
  code: string;
  name: string;
  ordinal: Generated<number>;
  description: string | null;
  source: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface IndicatorTable {
  code: string;
  name: string;
  group_code: string | null;
  description: string | null;
  numerator: string;
  denominator: string | null;
  factor: Generated<number>;
  unit: Generated<string>;
  decimals: Generated<number>;
  better: Generated<"higher" | "lower">;
  period_type: Generated<"year" | "school_year" | "term" | "quarter" | "month">;
  city_only: Generated<boolean>;
  numerator_label: string | null;
  denominator_label: string | null;
  source: string | null;
  ordinal: Generated<number>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface IndicatorTargetTable {
  id: Generated<number>;
  indicator_code: string;
  org_unit_id: number;
  org_path: string;
  county_code: string | null;
  period_code: string;
  kind: Generated<"absolute" | "relative">;
  direction: ">=" | "<=";
  value: number;
  note: string | null;
  source: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}
// end indicators

// ── cases (migrations 0040, 0041; src/modules/cases) ──
export interface CaseRecordTable {
  id: Generated<number>;
  kind: string;
  title: string;
  org_unit_id: number | null;
  org_path: string;
  county_code: string | null;
  state: string;
  severity: string | null;
  category: string | null;
  source: string | null;
  reporter_id: number | null;
  reporter_name: string | null;
  assignee_id: number | null;
  assignee_name: string | null;
  due_at: Date | null;
  overdue_since: Date | null;
  escalation_level: ColumnType<number, number | undefined, number>;
  escalated_at: Date | null;
  closed_at: Date | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseEventTable {
  id: Generated<number>;
  case_id: number;
  at: Timestamp;
  step: string;
  from_state: string | null;
  to_state: string | null;
  actor_type: string;
  actor_id: number | null;
  actor_name: string;
  comment: string | null;
  data: Json;
  attachments: ColumnType<unknown[], string | undefined, string>;
}

export interface CaseParticipantTable {
  case_id: number;
  user_id: number;
  role: string;
}

export interface CaseLinkTable {
  case_id: number;
  linked_id: number;
  relation: string;
  created_at: Timestamp;
}

export interface SafetyChecklistItemTable {
  code: string;
  name: string;
  description: string | null;
  category: string;
  required: ColumnType<boolean, boolean | undefined, boolean>;
  sort: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface SafetyInspectionTable {
  id: Generated<number>;
  org_unit_id: number;
  org_path: string;
  county_code: string | null;
  period_code: string;
  inspected_on: DateStr;
  source: "self_check" | "county_inspection" | "city_spot_check";
  inspector_id: number | null;
  inspector_name: string;
  passed: boolean;
  notes: string | null;
  created_at: Timestamp;
}

export interface SafetyInspectionResultTable {
  inspection_id: number;
  item_code: string;
  passed: boolean;
  note: string | null;
  hazard_case_id: number | null;
}

export interface SupervisionPlanTable {
  id: Generated<number>;
  title: string;
  plan_type: "special" | "comprehensive" | "focused";
  topic: string | null;
  description: string | null;
  starts_on: DateStr;
  ends_on: DateStr;
  org_unit_id: number;
  org_path: string;
  county_code: string | null;
  status: ColumnType<"active" | "closed", "active" | "closed" | undefined>;
  created_by: number | null;
  created_by_name: string;
  created_at: Timestamp;
}

export interface SupervisionTargetTable {
  id: Generated<number>;
  plan_id: number;
  org_unit_id: number;
  org_path: string;
  county_code: string | null;
}

export interface SupervisionInspectorTable {
  target_id: number;
  user_id: number;
}

export interface AccountabilityMeasureTable {
  code: string;
  name: string;
  subject_type: "unit" | "person";
  sort: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface AccountabilityRecordTable {
  id: Generated<number>;
  case_id: number;
  subject_type: "unit" | "person";
  subject_name: string;
  measure_code: string;
  basis: string;
  decided_by: number | null;
  decided_by_name: string;
  decided_at: Timestamp;
  org_path: string;
  county_code: string | null;
}
// ── end cases ──

export interface DB {
  org_unit: OrgUnitTable;
  org_unit_version: OrgUnitVersionTable;
  class_group: ClassGroupTable;
  student: StudentTable;
  student_status_history: StudentStatusHistoryTable;
  staff: StaffTable;
  role: RoleTable;
  app_user: AppUserTable;
  user_scope: UserScopeTable;
  session: SessionTable;
  api_token: ApiTokenTable;
  audit_log: AuditLogTable;
  import_job: ImportJobTable;
  import_error: ImportErrorTable;
  schema_migration: SchemaMigrationTable;
  // cases (0040, 0041)
  case_record: CaseRecordTable;
  case_event: CaseEventTable;
  case_participant: CaseParticipantTable;
  case_link: CaseLinkTable;
  safety_checklist_item: SafetyChecklistItemTable;
  safety_inspection: SafetyInspectionTable;
  safety_inspection_result: SafetyInspectionResultTable;
  supervision_plan: SupervisionPlanTable;
  supervision_target: SupervisionTargetTable;
  supervision_inspector: SupervisionInspectorTable;
  accountability_measure: AccountabilityMeasureTable;
  accountability_record: AccountabilityRecordTable;
  // files, reports, training (0050–0059)
  file_upload: FileUploadTable;
  vision_screening: VisionScreeningTable;
  // forms (0010)
  data_element: DataElementTable;
  form: FormTable;
  form_element: FormElementTable;
  form_period: FormPeriodTable;
  form_submission: FormSubmissionTable;
  form_submission_event: FormSubmissionEventTable;
  form_value: FormValueTable;
  form_value_history: FormValueHistoryTable;
  indicator_group: IndicatorGroupTable;
  indicator: IndicatorTable;
  indicator_target: IndicatorTargetTable;
  report_receipt: ReportReceiptTable;
  report_contact: ReportContactTable;
  report_question: ReportQuestionTable;
  ethics_negative_entry: EthicsNegativeEntryTable;
  training_institution: TrainingInstitutionTable;
  training_rule: TrainingRuleTable;
  training_inspection: TrainingInspectionTable;
  training_finding: TrainingFindingTable;
}

export type OrgUnitRow = Selectable<OrgUnitTable>;
export type StudentRow = Selectable<StudentTable>;
export type StaffRow = Selectable<StaffTable>;
export type ClassGroupRow = Selectable<ClassGroupTable>;
export type NewAuditLog = Insertable<AuditLogTable>;
export type OrgUnitUpdate = Updateable<OrgUnitTable>;
