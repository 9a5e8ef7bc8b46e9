//! The columns shown for each kind of record, read from the record's wire JSON (field
//! names as in `openapi/codearts-repo.yaml`).

use serde_json::Value;

use crate::output::{Column, Shown, prefix_at, text_at};

/// Characters of a commit id shown in tables.
const SHORT_ID: usize = 8;

/// `ref_type` and `ref` together, as `branch main`.
fn kind_and_ref(record: &Value, payload: &str) -> String {
    let kind = text_at(record, &format!("{payload}/ref_type"));
    let name = text_at(record, &format!("{payload}/ref"));
    match (kind.is_empty(), name.is_empty()) {
        (false, false) => format!("{kind} {name}"),
        (true, _) => name,
        (false, true) => kind,
    }
}

/// Who pushed: the author's display name, else the username (often an opaque id).
fn pusher(record: &Value) -> String {
    ["/author/name", "/author_username", "/author/username"]
        .into_iter()
        .map(|pointer| text_at(record, pointer))
        .find(|text| !text.is_empty())
        .unwrap_or_default()
}

/// Columns of a repository push event (`events`).
pub(crate) static EVENT_COLUMNS: &[Column] = &[
    Column {
        header: "CREATED_AT",
        cell: |r| text_at(r, "/created_at"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "ACTION",
        cell: |r| text_at(r, "/action_name"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "REF",
        cell: |r| kind_and_ref(r, "/push_data"),
        shown: Shown::TableOnly,
    },
    Column {
        header: "REF_TYPE",
        cell: |r| text_at(r, "/push_data/ref_type"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "REF_NAME",
        cell: |r| text_at(r, "/push_data/ref"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "AUTHOR",
        cell: pusher,
        shown: Shown::Everywhere,
    },
    Column {
        header: "AUTHOR_ID",
        cell: |r| text_at(r, "/author_id"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "COMMITS",
        cell: |r| text_at(r, "/push_data/commit_count"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "COMMIT_FROM",
        cell: |r| text_at(r, "/push_data/commit_from"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "COMMIT_TO",
        cell: |r| text_at(r, "/push_data/commit_to"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "TO",
        cell: |r| prefix_at(r, "/push_data/commit_to", SHORT_ID),
        shown: Shown::TableOnly,
    },
    Column {
        header: "TITLE",
        cell: |r| text_at(r, "/push_data/commit_title"),
        shown: Shown::Everywhere,
    },
];

/// Columns of a repository's last push (`last-push`).
pub(crate) static LAST_PUSH_COLUMNS: &[Column] = &[
    Column {
        header: "REPOSITORY_ID",
        cell: |r| text_at(r, "/repository/id"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "REPOSITORY",
        cell: |r| text_at(r, "/repository/path_with_namespace"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "PROJECT",
        cell: |r| text_at(r, "/repository/project_name"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "REF",
        cell: |r| text_at(r, "/ref"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "CREATED_AT",
        cell: |r| text_at(r, "/created_at"),
        shown: Shown::Everywhere,
    },
];

/// Columns of a commit (`commits`).
pub(crate) static COMMIT_COLUMNS: &[Column] = &[
    Column {
        header: "ID",
        cell: |r| text_at(r, "/id"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "SHORT_ID",
        cell: |r| {
            let short = text_at(r, "/short_id");
            if short.is_empty() {
                prefix_at(r, "/id", SHORT_ID)
            } else {
                short
            }
        },
        shown: Shown::Everywhere,
    },
    Column {
        header: "COMMITTED_AT",
        cell: |r| text_at(r, "/committed_date"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "AUTHOR",
        cell: |r| text_at(r, "/author_name"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "AUTHOR_EMAIL",
        cell: |r| text_at(r, "/author_email"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "PARENTS",
        cell: |r| match r.get("parent_ids") {
            Some(Value::Array(ids)) => ids
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        },
        shown: Shown::CsvOnly,
    },
    Column {
        header: "TITLE",
        cell: |r| {
            let title = text_at(r, "/title");
            if title.is_empty() {
                text_at(r, "/message")
            } else {
                title
            }
        },
        shown: Shown::Everywhere,
    },
];

/// Columns of one of the user's recent pushes (`recent-pushes`).
pub(crate) static RECENT_PUSH_COLUMNS: &[Column] = &[
    Column {
        header: "CREATED_AT",
        cell: |r| text_at(r, "/created_at"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "REPOSITORY_ID",
        cell: |r| text_at(r, "/repository/id"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "REPOSITORY",
        cell: |r| text_at(r, "/repository/path_with_namespace"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "ACTION",
        cell: |r| text_at(r, "/push_data/action"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "REF",
        cell: |r| kind_and_ref(r, "/push_data"),
        shown: Shown::TableOnly,
    },
    Column {
        header: "REF_TYPE",
        cell: |r| text_at(r, "/push_data/ref_type"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "REF_NAME",
        cell: |r| text_at(r, "/push_data/ref"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "COMMITS",
        cell: |r| text_at(r, "/push_data/commit_count"),
        shown: Shown::Everywhere,
    },
    Column {
        header: "COMMIT_TO",
        cell: |r| text_at(r, "/push_data/commit_to"),
        shown: Shown::CsvOnly,
    },
    Column {
        header: "TITLE",
        cell: |r| text_at(r, "/push_data/commit_title"),
        shown: Shown::Everywhere,
    },
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cells(columns: &[Column], record: &Value) -> Vec<(&'static str, String)> {
        columns
            .iter()
            .map(|c| (c.header, (c.cell)(record)))
            .collect()
    }

    #[test]
    fn an_event_reads_the_documented_example() {
        // The reference example of openapi/codearts-repo.yaml.
        let event = json!({
            "action_name": "pushed new",
            "author": {"id": 9124, "username": "c369c68f1ff84679b5a8ed904d8bff1c"},
            "author_id": 9124,
            "created_at": "2024-08-21T06:21:22.000Z",
            "push_data": {"commit_count": 0, "ref_type": "branch", "commit_from": null,
                          "commit_to": "17933c207b320a74dc10af80e0d9d9720a90dd5e",
                          "ref": "asdsada#fasdasda", "commit_title": null}
        });
        let cells = cells(EVENT_COLUMNS, &event);
        assert!(cells.contains(&("REF", "branch asdsada#fasdasda".into())));
        assert!(cells.contains(&("AUTHOR", "c369c68f1ff84679b5a8ed904d8bff1c".into())));
        let named = json!({"author": {"id": 1, "name": "dev_test"}, "author_username": "c369"});
        assert_eq!(pusher(&named), "dev_test");
        assert!(cells.contains(&("TO", "17933c20".into())));
        assert!(cells.contains(&("COMMIT_FROM", String::new())));
        assert!(cells.contains(&("COMMITS", "0".into())));
    }

    #[test]
    fn a_commit_without_short_id_or_title_falls_back() {
        let commit = json!({"id": "97b70c9e6e11ba981d19feaad61135", "message": "fix: x\n\nbody",
                            "parent_ids": ["a", "b"]});
        let cells = cells(COMMIT_COLUMNS, &commit);
        assert!(cells.contains(&("SHORT_ID", "97b70c9e".into())));
        assert!(cells.contains(&("TITLE", "fix: x\n\nbody".into())));
        assert!(cells.contains(&("PARENTS", "a b".into())));
    }
}
