//! Accounts, their sessions, API tokens and login slowdown, units, and the audit log.

diesel::table! {
    units (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        parent -> Nullable<Text>,
        aliases -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        staff_no -> Text,
        name -> Text,
        unit -> Text,
        role -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Text,
        last_seen_at -> Text,
        expires_at -> Text,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        name -> Text,
        created_by -> Text,
        created_at -> Text,
        last_used_at -> Nullable<Text>,
        revoked_at -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (staff_no, addr) {
        staff_no -> Text,
        addr -> Text,
        failures -> Integer,
        last_at -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Text,
        actor -> Text,
        cycle -> Nullable<Integer>,
        table_code -> Nullable<Text>,
        row_id -> Nullable<BigInt>,
        operation -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(users, sessions);
