//! Year over year for one core indicator: `compare(cycle, indicator: …)` answers in the table
//! comparison's shape, so a BI client reads tables and indicators alike: the indicator is the
//! headline figure (`rows`) and the first line, each breakdown group a further line.

use rust_decimal::Decimal;

use super::compare::{Comparison, FieldChange, Figures};
use super::{ApiError, ApiResult, Code, Service};
use crate::authz::Access;

fn decimal(text: Option<&str>) -> Option<Decimal> {
    text.and_then(|v| v.parse().ok())
}

impl Service {
    /// Compares indicator `id` of `cycle` with the previous cycle: the published snapshot's
    /// figures once 质量部 has published, live figures before (as `indicators` shows them).
    pub fn compare_indicator(&self, who: &Access, cycle: i32, id: &str) -> ApiResult<Comparison> {
        let data = self.core_data(who, cycle)?;
        let Some(view) = data.indicators.into_iter().find(|v| v.computed.id == id) else {
            return Err(ApiError::new(
                Code::NotFound,
                format!("没有编号为 {id} 的核心指标（见 table-defs/indicators.toml）"),
            ));
        };
        let c = view.computed;
        let headline = FieldChange {
            field: c.id.clone(),
            label: c.name.clone(),
            measure: c.unit.clone(),
            value: decimal(c.value.as_deref()),
            previous: decimal(c.previous.as_deref()),
        };
        let mut fields = vec![headline.clone()];
        for b in &c.breakdowns {
            fields.extend(b.items.iter().map(|item| FieldChange {
                field: format!("{}:{}", b.name, item.key),
                label: format!("{} · {}", b.name, item.label),
                measure: c.unit.clone(),
                value: decimal(item.value.as_deref()),
                previous: decimal(item.previous.as_deref()),
            }));
        }
        Ok(Comparison {
            cycle,
            previous_cycle: cycle - 1,
            totals: Figures {
                code: c.id,
                name: c.name,
                rows: headline,
                fields,
            },
            matched: Default::default(),
            units: Vec::new(),
        })
    }
}
