//! What the store keeps about itself: the data tables it made, the versions of rights and definitions, reload requests and the binary that migrated it.

diesel::table! {
    data_tables (slug) {
        slug -> Text,
        code -> Text,
        name -> Text,
        key_columns -> Text,
        synced_at -> Text,
    }
}

diesel::table! {
    data_columns (table_slug, column_name) {
        table_slug -> Text,
        column_name -> Text,
        field_type -> Text,
        scale -> Nullable<Integer>,
        position -> Integer,
    }
}

diesel::table! {
    policy_versions (version) {
        version -> BigInt,
        body -> Text,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    definition_versions (version) {
        version -> BigInt,
        hash -> Text,
        loaded_at -> Text,
        loaded_by -> Text,
        instance -> Text,
    }
}

diesel::table! {
    definition_tables (code, version) {
        version -> BigInt,
        code -> Text,
        hash -> Text,
    }
}

diesel::table! {
    reload_requests (id) {
        id -> BigInt,
        requested_at -> Text,
        requested_by -> Text,
    }
}

diesel::table! {
    statusdata_version (id) {
        id -> Integer,
        version -> Text,
        commit_id -> Text,
        migrated_at -> Text,
    }
}

diesel::table! {
    definition_drafts (table_code) {
        table_code -> Text,
        toml -> Text,
        base_version -> BigInt,
        author -> Text,
        author_name -> Text,
        updated_at -> Text,
        row_version -> BigInt,
    }
}

diesel::table! {
    definition_history (id) {
        id -> BigInt,
        table_code -> Text,
        before_toml -> Text,
        after_toml -> Text,
        author -> Text,
        author_name -> Text,
        at -> Text,
        reason -> Text,
        definitions_version -> BigInt,
    }
}
