// 只看有问题的行: the rows the 提交前检查 flags (record and reference rules) and the rows with an
// open finding of the last whole-cycle check.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { rowChecks } from './rowchecks.jsx';

/** The ids of the unit's rows of `table` with a failing check or an open finding. */
export async function problemRowIds(table, unit) {
  const [checks, findings] = await Promise.all([
    rowChecks(table.code, unit),
    gql('query($cycle: Int!, $table: String, $unit: String) { findings(cycle: $cycle, table: $table, unit: $unit, state: "open") { rowId } }',
      { cycle: getState().cycle, table: table.code, unit })
      .then((d) => d.findings)
      .catch(() => []),
  ]);
  return [...new Set([...checks, ...findings].map((c) => c.rowId).filter(Boolean))];
}
