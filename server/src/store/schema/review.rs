//! Comments on rows that reviewers and 质量部 write and the filling unit resolves.

diesel::table! {
    row_comments (id) {
        id -> BigInt,
        cycle -> Integer,
        table_code -> Text,
        unit -> Text,
        row_id -> BigInt,
        row_ref -> Text,
        author -> Text,
        author_unit -> Text,
        body -> Text,
        created_at -> Text,
        resolved_at -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
        reply -> Nullable<Text>,
    }
}
