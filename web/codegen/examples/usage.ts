// Compiled by check.sh against the generated types: data fields keep the schema's types (Int is
// a number, Boolean a boolean, Decimal and dates strings), labels sit beside codes, and every
// workflow entity carries the id a client cache normalizes it by.
import type {
  AdmissionByLevelPageQuery,
  ProgressQuery,
  ReviewTableMutationVariables,
  SubmitTableMutation,
} from "../generated/operations";
import type * as Types from "../generated/schema";

type Row = AdmissionByLevelPageQuery["admissionByLevelList"]["nodes"][number];

export function admittedTotal(page: AdmissionByLevelPageQuery): number {
  return page.admissionByLevelList.nodes.reduce((n: number, r: Row) => n + (r.admitted ?? 0), 0);
}

export function levelShown(r: Row): string {
  return r.levelLabel ?? r.level ?? "—";
}

export function overdueIds(q: ProgressQuery): string[] {
  return q.progress.filter((p) => p.overdue).map((p) => p.id);
}

/** Apollo keys entities by __typename and id; a submission's id is its Progress entry's. */
export function progressCacheKey(s: SubmitTableMutation): string {
  return `Progress:${s.submitTable.id}`;
}

export const returned: ReviewTableMutationVariables = {
  cycle: 2023,
  table: "1.1.1",
  unit: "jwc",
  decision: "RETURN",
  comment: "请补充说明",
};

// The schema's own types keep the Chinese descriptions as JSDoc.
export type TeacherGender = Types.InternalTeacher["genderLabel"];
