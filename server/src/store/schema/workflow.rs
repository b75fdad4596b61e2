//! Cycles with their schedule, submissions with their events, lock exceptions, findings and quality runs, indicator snapshots, cases, row links and 高基 figures.

diesel::table! {
    cycles (year) {
        year -> Integer,
        period_start -> Text,
        period_end -> Text,
        finance_year -> Integer,
        snapshot_date -> Text,
        is_open -> Bool,
        created_at -> Text,
        source_hash -> Nullable<Text>,
        shift_days -> Integer,
    }
}

diesel::table! {
    schedule_tasks (id) {
        id -> BigInt,
        cycle -> Integer,
        kind -> Text,
        task_no -> Text,
        title -> Text,
        units -> Text,
        table_code -> Nullable<Text>,
        starts_on -> Nullable<Text>,
        ends_on -> Text,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        cycle -> Integer,
        table_code -> Text,
        unit -> Text,
        state -> Text,
        comment -> Nullable<Text>,
        approvals -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    submission_events (id) {
        id -> BigInt,
        submission_id -> BigInt,
        from_state -> Text,
        to_state -> Text,
        actor -> Text,
        actor_unit -> Text,
        comment -> Nullable<Text>,
        at -> Text,
    }
}

diesel::table! {
    lock_exceptions (id) {
        id -> BigInt,
        cycle -> Integer,
        table_code -> Text,
        unit -> Text,
        until -> Text,
        reason -> Text,
        granted_by -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        cycle -> Integer,
        table_code -> Text,
        unit -> Text,
        row_id -> Nullable<BigInt>,
        field -> Nullable<Text>,
        rule -> Text,
        severity -> Text,
        message -> Text,
        explanation -> Nullable<Text>,
        created_at -> Text,
        row_ref -> Text,
        state -> Text,
        explained_by -> Nullable<Text>,
        explained_at -> Nullable<Text>,
        accepted_by -> Nullable<Text>,
        accepted_at -> Nullable<Text>,
        resolved_at -> Nullable<Text>,
        updated_at -> Nullable<Text>,
    }
}

diesel::table! {
    quality_runs (id) {
        id -> BigInt,
        cycle -> Integer,
        scope -> Text,
        actor -> Text,
        started_at -> Text,
        finished_at -> Text,
        rules -> Integer,
        errors -> Integer,
        warnings -> Integer,
        opened -> Integer,
        resolved -> Integer,
    }
}

diesel::table! {
    indicator_snapshots (id) {
        id -> BigInt,
        cycle -> Integer,
        version -> Integer,
        state -> Text,
        values_json -> Text,
        warnings_json -> Text,
        published_by -> Text,
        published_at -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Text>,
        decision_comment -> Nullable<Text>,
        override_by -> Nullable<Text>,
        override_at -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        report_json -> Nullable<Text>,
    }
}

diesel::table! {
    indicator_comments (id) {
        id -> BigInt,
        snapshot_id -> BigInt,
        indicator -> Text,
        author -> Text,
        author_name -> Text,
        body -> Text,
        at -> Text,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Text>,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        cycle -> Integer,
        theme -> Text,
        unit -> Text,
        title -> Text,
        body -> Text,
        state -> Text,
        comment -> Nullable<Text>,
        approvals -> Text,
        row_version -> BigInt,
        created_at -> Text,
        created_by -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    case_figures (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        indicator -> Nullable<Text>,
        table_code -> Nullable<Text>,
        row_id -> Nullable<BigInt>,
        source -> Text,
        label -> Text,
        value -> Text,
    }
}

diesel::table! {
    case_attachments (id) {
        id -> BigInt,
        case_id -> BigInt,
        file_name -> Text,
        media_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        content -> Binary,
        uploaded_at -> Text,
        uploaded_by -> Text,
    }
}

diesel::table! {
    row_links (table_code, row_id) {
        table_code -> Text,
        row_id -> BigInt,
        cycle -> Integer,
        prev_cycle -> Integer,
        prev_id -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    gaoji_figures (cycle, item) {
        cycle -> Integer,
        item -> Text,
        value -> Text,
        as_of -> Text,
        note -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    annual_report_values (cycle, item) {
        cycle -> Integer,
        item -> Text,
        value -> Text,
        source -> Text,
        source_date -> Text,
        entered_by -> Text,
        entered_by_name -> Text,
        entered_at -> Text,
    }
}
