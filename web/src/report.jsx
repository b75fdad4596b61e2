// The quality report in 数据检查 (质量部, leaders): the paragraph for the work group, the share of
// rows without a problem, the rules that find most, and the trend across the checks run so far.

import { gql } from './api.js';
import { Message, formatTime } from './ui.jsx';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!) { qualityReport(cycle: $cycle) {
  summary rows flaggedRows
  total { errors warnings open explained accepted }
  byRule { key name errors warnings open }
  runs { scope finishedAt rules errors warnings opened resolved } } }`;

function percent(part, whole) {
  // Rounded down: 6 rows with problems among 46,809 must not read as 100%.
  return whole ? `${(Math.floor((part / whole) * 10000) / 100).toFixed(2)}%` : '—';
}

export function QualityReport({ cycle, version }) {
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(Q, { cycle }).then((d) => setReport(d.qualityReport)).catch((e) => setError(e.message));
  }, [cycle, version]);
  if (error) return <Message kind="error">{error}</Message>;
  if (!report) return null;
  const clean = report.rows - report.flaggedRows;
  const runs = report.runs.filter((r) => r.scope === '全部').slice(-8);
  return (
    <section className="sd-report-q" aria-label="质量报告">
      <h3>质量报告</h3>
      <p className="sd-comment">{report.summary}</p>
      <div className="sd-kpis">
        <span>无问题的数据行 {percent(clean, report.rows)}（{clean} / {report.rows} 行）</span>
        <a className="sd-button" href={`/export/${cycle}/quality.xlsx`} download>下载质量报告</a>
      </div>
      {report.byRule.length > 0 && (
        <>
          <h4>发现最多的规则</h4>
          <table className="sd-grid">
            <thead><tr><th scope="col">规则</th><th scope="col">所属表与依据</th><th scope="col">错误</th><th scope="col">提醒</th><th scope="col">待处理</th></tr></thead>
            <tbody>
              {report.byRule.slice(0, 10).map((r) => (
                <tr key={r.key}><td>{r.key}</td><td>{r.name}</td><td>{r.errors}</td><td>{r.warnings}</td><td>{r.open}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {runs.length > 0 && (
        <>
          <h4>历次检查（趋势）</h4>
          <table className="sd-grid" aria-label="历次检查">
            <thead><tr><th scope="col">完成时间</th><th scope="col">规则数</th><th scope="col">错误</th><th scope="col">提醒</th><th scope="col">新发现</th><th scope="col">已解决</th></tr></thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.finishedAt}>
                  <td>{formatTime(r.finishedAt)}</td><td>{r.rules}</td><td>{r.errors}</td><td>{r.warnings}</td><td>{r.opened}</td><td>{r.resolved}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
