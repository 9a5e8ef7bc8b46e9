//! Starting `codearts-repo-emulator` as a child process and reading its `--ready-json`
//! line: the one reader of that format for every task that runs the emulator binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What the emulator's `--ready-json` line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ready {
    /// Base address, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Value for `X-Auth-Token`.
    pub token: String,
    /// AK of the AK/SK pair.
    pub access_key: String,
    /// SK of the AK/SK pair.
    pub secret_key: String,
    /// The user's project id.
    pub project_id: String,
    /// The user's id.
    pub user_id: u64,
    /// Repositories the user may read.
    pub repository_ids: Vec<u64>,
    /// The temporary access key of the metadata endpoint, when the line has it.
    pub temporary_access_key: Option<String>,
    /// The identity provider IAM knows, when the line has it.
    pub idp_id: Option<String>,
    /// The OIDC id token IAM accepts for it, when the line has it.
    pub id_token: Option<String>,
}

impl Ready {
    /// Reads one `--ready-json` line.
    pub(crate) fn parse(line: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("the emulator's ready line is not JSON ({e}): {line}"))?;
        let missing = |name: &str| format!("the emulator's ready line has no {name}: {line}");
        let text = |name: &str| {
            value[name]
                .as_str()
                .filter(|text| !text.is_empty())
                .map(str::to_string)
                .ok_or_else(|| missing(name))
        };
        let repository_ids = value["repository_ids"]
            .as_array()
            .and_then(|ids| ids.iter().map(serde_json::Value::as_u64).collect())
            .ok_or_else(|| missing("repository_ids"))?;
        Ok(Self {
            endpoint: text("endpoint")?,
            token: text("token")?,
            access_key: text("access_key")?,
            secret_key: text("secret_key")?,
            project_id: text("project_id")?,
            user_id: value["user_id"]
                .as_u64()
                .ok_or_else(|| missing("user_id"))?,
            repository_ids,
            temporary_access_key: text("temporary_access_key").ok(),
            idp_id: text("idp_id").ok(),
            id_token: text("id_token").ok(),
        })
    }
}

/// Runs `command` (the emulator binary, or `cargo run` of it) with `--ready-json` and
/// waits up to `limit` for its ready line; the child is killed when it does not come.
pub(crate) fn start(mut command: Command, limit: Duration) -> Result<(Child, Ready), String> {
    let mut child = command
        .arg("--ready-json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        return Err("the emulator has no standard output".into());
    };
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
        // Keep reading for as long as the emulator runs: a closed pipe would make any
        // later line it prints fail.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let outcome = match receiver.recv_timeout(limit) {
        Ok(Ok(line)) if !line.trim().is_empty() => Ready::parse(line.trim()),
        Ok(Ok(_)) => Err("the emulator stopped before it was ready".to_string()),
        Ok(Err(error)) => Err(format!("cannot read the emulator's output: {error}")),
        Err(_) => Err(format!(
            "the emulator did not report ready within {limit:?}"
        )),
    };
    match outcome {
        Ok(ready) => Ok((child, ready)),
        Err(error) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_line_is_read_and_a_broken_one_is_named() {
        let line = r#"{"endpoint":"http://127.0.0.1:1","token":"t","access_key":"a","secret_key":"s","project_id":"p","user_id":9,"username":"u","repository_ids":[3,4]}"#;
        let ready = Ready::parse(line).unwrap();
        assert_eq!(ready.repository_ids, [3, 4]);
        assert_eq!(ready.user_id, 9);
        let error = Ready::parse(&line.replace("\"token\":\"t\",", "")).unwrap_err();
        assert!(error.contains("has no token"), "{error}");
        let error = Ready::parse("CodeArts Repo emulator listening").unwrap_err();
        assert!(error.contains("not JSON"), "{error}");
    }
}
