//! References as the template's dropdowns put them in a cell: "工号 姓名" ("T1001 王建华"),
//! read as the key alone. Only when the key's pattern says so: the text as a whole is no key, the
//! part before the first space is one.

use crate::defs::{Catalog, Field};

/// The key of a reference typed or picked as "key name"; anything else is kept as given, for
/// validation to report against the referenced table.
pub fn ref_key(catalog: Option<&Catalog>, field: &Field, text: String) -> String {
    let Some(catalog) = catalog else {
        return text;
    };
    let Some((head, rest)) = text.split_once([' ', '\u{3000}']) else {
        return text;
    };
    if head.is_empty() || rest.trim().is_empty() {
        return text;
    }
    let key_shape = |t: &str| match &field.pattern {
        Some(p) => p.is_match(t),
        // Without a pattern of its own, the field takes the keys its targets allow.
        None => {
            let targets = field.ty.ref_targets();
            !targets.is_empty()
                && targets.iter().all(|t2| {
                    catalog
                        .table_by_slug(&t2.table)
                        .and_then(|table| table.field(&t2.field))
                        .and_then(|f| f.pattern.as_ref())
                        .is_some_and(|p| p.is_match(t))
                })
        }
    };
    if !key_shape(&text) && key_shape(head) {
        head.to_owned()
    } else {
        text
    }
}
